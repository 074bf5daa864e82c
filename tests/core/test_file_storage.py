"""Generated files in S3-compatible storage (IPV_FILE_STORAGE=s3): a certificate and an export
written to a real S3 endpoint (moto's server, on loopback) under unguessable names, read back
through our views only, an expired export's object deleted with it — and nothing on the local
disk. The default, the database, is what the rest of the suite runs on."""

import re
from datetime import timedelta

import boto3
import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.utils import timezone
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from ipv.figures import tasks
from ipv.figures.models import Export
from sessions_app.models import Certificate
from tests.figures.test_exports import PARAMS, received

pytestmark = pytest.mark.django_db

BUCKET = "ipv-files"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# A name the storage makes: its folder, then 32 random bytes in URL-safe base64.
UNGUESSABLE = re.compile(r"^(documents|exports)/[A-Za-z0-9_-]{43}$")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="ca-central-1", **KEYS)
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    media = tmp_path / "media"
    media.mkdir()
    files = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": s3_endpoint,
            "region_name": "ca-central-1",
            "access_key": KEYS["aws_access_key_id"],
            "secret_key": KEYS["aws_secret_access_key"],
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
    with override_settings(
        IPV_FILE_STORAGE="s3",
        STORAGES={**settings.STORAGES, "files": files},
        MEDIA_ROOT=str(media),
    ):
        yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)
    # Nothing written on the local disk, by the storage or anything else.
    assert list(media.iterdir()) == []


def _objects(client) -> dict[str, dict]:
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: client.head_object(Bucket=BUCKET, Key=item["Key"]) for item in listed}


def test_the_settings_name_an_s3_storage(bucket):
    assert isinstance(storages["files"], S3Storage)


def test_a_certificate_is_stored_in_s3_and_downloaded_through_the_site(bucket, client, world):
    url = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/certificate/"
    client.force_login(world["intake"])
    first = client.get(url)
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF-")

    certificate = Certificate.objects.get(pk=world.certificate.pk)
    assert bytes(certificate.pdf) == b""  # not in the database
    assert UNGUESSABLE.match(certificate.pdf_file)
    objects = _objects(bucket)
    assert list(objects) == [certificate.pdf_file]
    assert objects[certificate.pdf_file]["ServerSideEncryption"] == "AES256"
    acl = bucket.get_object_acl(Bucket=BUCKET, Key=certificate.pdf_file)
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # owner only
    stored = bucket.get_object(Bucket=BUCKET, Key=certificate.pdf_file)["Body"].read()
    assert stored == first.content

    # Read back, not rendered again: the court gets the very same file, and no second object.
    client.force_login(world["liaison"])
    again = client.get(f"/en/court/referrals/{world.referral.pk}/certificate/")
    assert again.status_code == 200
    assert again.content == first.content
    assert again.get("Location") is None  # streamed by the view, never a link to the bucket
    assert list(_objects(bucket)) == [certificate.pdf_file]


def test_an_export_is_stored_in_s3_downloaded_then_deleted_with_its_row(bucket, client, world):
    received(world, 3)
    export = Export.objects.create(
        agency=world.agency,
        requested_by=world["intake"],
        kind=Export.Kind.CASES,
        params=PARAMS,
        format="csv",
        language="en",
        filename="ipv-riviere-received.csv",
    )
    assert tasks.build(export.pk) is True
    export.refresh_from_db()
    assert export.content is None  # not in the database
    assert UNGUESSABLE.match(export.content_file)
    assert list(_objects(bucket)) == [export.content_file]

    client.force_login(world["intake"])
    response = client.get(f"/en/a/{world.agency.slug}/exports/{export.pk}/download/")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("\n") == 4  # the header and 3 cases
    assert (export.rows_done, export.rows_total) == (3, 3)

    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.remove_expired_exports() == 1
    assert not Export.objects.filter(pk=export.pk).exists()
    assert _objects(bucket) == {}


def test_two_names_for_the_same_content_share_nothing(bucket):
    """Unguessable: each file gets 32 fresh random bytes, not a name made from what it is."""
    from ipv.core import files

    first, second = files.file_save("exports", b"same"), files.file_save("exports", b"same")
    assert first != second
    assert UNGUESSABLE.match(first) and UNGUESSABLE.match(second)
    assert files.file_read(first) == b"same"
    files.file_delete(first)
    assert list(_objects(bucket)) == [second]
