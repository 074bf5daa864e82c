"""Views of the sessions app: groups and sessions (groups), attendance (attendance), the
referral's place in the program and its documents (program), and the public pages (public)."""
