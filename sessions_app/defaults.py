"""The twelve modules an agency starts from, per program, before it writes its own version.

Each row: (French title, English title, French description, English description). Content, in
both languages, written once here rather than through the translation catalogs: an agency then
edits its own copy, in both languages, on the curriculum page.
"""

IPV = [
    (
        "Comprendre la violence et les mauvais traitements entre partenaires",
        "Understanding partner violence and abuse",
        "Les formes de violence (physique, psychologique, sexuelle, financière, contrôle "
        "coercitif) et leurs effets.",
        "The forms of abuse (physical, emotional, sexual, financial, coercive control) and "
        "their effects.",
    ),
    (
        "Assumer la responsabilité de ses actes",
        "Accountability for one's actions",
        "Reconnaître ses gestes sans les minimiser, les nier ou blâmer l'autre.",
        "Naming what one did without minimizing, denying or blaming the other person.",
    ),
    (
        "Les effets de la violence sur les partenaires et les enfants",
        "The impact of abuse on partners and children",
        "Ce que vivent les victimes et les enfants exposés à la violence.",
        "What victims, and children who witness abuse, live through.",
    ),
    (
        "Connaître ses limites et les signes avant-coureurs",
        "Knowing one's limits and the warning signs",
        "Repérer dans son corps et ses pensées les signes qui précèdent un geste violent.",
        "Recognising, in one's body and thoughts, the signs that come before a violent act.",
    ),
    (
        "Gérer la colère et le stress",
        "Managing anger and stress",
        "Des moyens concrets de faire baisser la tension : pause, respiration, retrait.",
        "Practical ways to bring tension down: time-outs, breathing, stepping away.",
    ),
    (
        "La consommation de substances et la violence",
        "Substance-use management",
        "Alcool, drogues et violence : reconnaître les liens et prévoir des stratégies.",
        "Alcohol, drugs and violence: seeing the links and planning strategies.",
    ),
    (
        "La communication respectueuse",
        "Respectful communication",
        "Écouter, exprimer ses besoins sans menacer, accepter le désaccord.",
        "Listening, saying what one needs without threats, accepting disagreement.",
    ),
    (
        "La gestion des conflits",
        "Conflict management",
        "Résoudre un désaccord sans chercher à gagner ni à contrôler.",
        "Working through a disagreement without trying to win or to control.",
    ),
    (
        "Les stratégies non violentes",
        "Non-violent strategies",
        "Un plan personnel pour les situations à risque.",
        "A personal plan for high-risk situations.",
    ),
    (
        "La jalousie, le contrôle et la confiance",
        "Jealousy, control and trust",
        "Les comportements de contrôle et ce qui bâtit la confiance.",
        "Controlling behaviours, and what builds trust instead.",
    ),
    (
        "Les relations saines",
        "Healthy relationships",
        "L'égalité, le respect, le consentement et l'autonomie de chacun.",
        "Equality, respect, consent and each partner's independence.",
    ),
    (
        "La sécurité et un plan pour l'avenir",
        "Safety and a plan for the future",
        "Ce que la personne retient, et son plan pour ne plus recourir à la violence.",
        "What the person takes away, and their plan to stay non-violent.",
    ),
]

IPIV = [
    (
        "Cercle d'ouverture : qui nous sommes et d'où nous venons",
        "Opening circle: who we are and where we come from",
        "Se présenter, les protocoles du cercle, les enseignements des aînés.",
        "Introductions, the circle's protocols, the Elders' teachings.",
    ),
    (
        "La colonisation et les traumatismes intergénérationnels",
        "Colonization and intergenerational trauma",
        "Les pensionnats, la rafle des années soixante et leurs effets sur les familles.",
        "Residential schools, the Sixties Scoop and their effects on families.",
    ),
    (
        "Comprendre la violence dans nos familles et nos communautés",
        "Understanding violence in our families and communities",
        "Les formes de violence entre partenaires et leurs effets sur tout le cercle familial.",
        "The forms of partner violence and their effects on the whole family circle.",
    ),
    (
        "Prendre ses responsabilités : le respect et l'honnêteté",
        "Taking responsibility: respect and honesty",
        "Reconnaître le tort causé, selon les enseignements.",
        "Owning the harm done, guided by the teachings.",
    ),
    (
        "Les émotions, les déclencheurs et les signes avant-coureurs",
        "Emotions, triggers and the warning signs",
        "Connaître ses limites et reconnaître les signes qui précèdent un geste violent.",
        "Knowing one's limits and recognising the signs that come before a violent act.",
    ),
    (
        "La consommation de substances, la guérison et l'équilibre",
        "Substance use, healing and balance",
        "La roue de médecine et la gestion de la consommation.",
        "The medicine wheel and managing substance use.",
    ),
    (
        "Communiquer dans le respect",
        "Communicating in a good way",
        "Le cercle de parole : écouter et parler avec respect.",
        "The talking circle: listening and speaking with respect.",
    ),
    (
        "Résoudre les conflits sans faire de tort",
        "Resolving conflict without harm",
        "Des stratégies non violentes ancrées dans la culture.",
        "Non-violent strategies rooted in culture.",
    ),
    (
        "Les relations saines et les sept enseignements sacrés",
        "Healthy relationships and the Seven Grandfather Teachings",
        "Amour, respect, courage, honnêteté, sagesse, humilité et vérité dans le couple.",
        "Love, respect, courage, honesty, wisdom, humility and truth in relationships.",
    ),
    (
        "Le rôle de parent et nos rôles dans la famille",
        "Parenting and our roles in the family",
        "Être un modèle pour les enfants et la communauté.",
        "Being a role model for children and the community.",
    ),
    (
        "Le lien avec la communauté, la terre et la culture",
        "Connecting with community, land and culture",
        "Cérémonies, activités sur le territoire et soutiens communautaires.",
        "Ceremonies, land-based activities and community supports.",
    ),
    (
        "Cercle de clôture : un plan pour la route à venir",
        "Closing circle: a plan for the path ahead",
        "Ce que la personne emporte, et son plan de guérison sans violence.",
        "What the person carries forward, and their plan for healing without violence.",
    ),
]

MODULES = {"ipv": IPV, "ipiv": IPIV}
