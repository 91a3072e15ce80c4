"""Small French press articles written for these tests (not taken from any publication)."""

from __future__ import annotations

NBSP = "\u00a0"
NNBSP = "\u202f"
APOSTROPHE = "\u2019"  # the typographic apostrophe of the French press

# Curly apostrophes, guillemets with no-break spaces, titles, an acronym expanded both
# ways, a place written with and without accents, metonymy, a legal notice at the end.
FSB_ARRESTS = (
    "Saint-Pétersbourg\u202f: le FSB annonce l'arrestation de trois hommes\n"
    "\n"
    "Le Service fédéral de sécurité (FSB) a annoncé mardi l'arrestation de trois hommes "
    "soupçonnés de préparer un attentat à Saint-Pétersbourg pour le compte de l'État "
    "islamique. Selon le communiqué, les suspects communiquaient par la messagerie "
    "Telegram et sur WhatsApp.\n"
    "\n"
    f"«{NBSP}Nous avons reçu des informations de la CIA, et nous en sommes "
    f"reconnaissants{NBSP}», a déclaré M.{NBSP}Dmitri Peskov, porte-parole du Kremlin. "
    "M. Peskov a ajouté que le président Vladimir Poutine avait été informé.\n"
    "\n"
    "À Paris, l'Élysée n'a pas souhaité commenter. Mme Claire Dumont, chercheuse à "
    "l'Institut français des relations internationales (IFRI), rappelle que l'EI a "
    "revendiqué en 2017 l'attentat du métro de Saint-Petersbourg. L'IFRI publie chaque "
    "année une note sur le sujet.\n"
    "\n"
    "Le groupe Wagner n'est pas mis en cause. Le Kremlin a démenti tout lien. Le ministre "
    "français des Affaires étrangères a été reçu à l'Élysée.\n"
    "\n"
    "Lire aussi : Les services russes et la coopération antiterroriste\n"
    "\n"
    "© Le Quotidien du Soir 2025. Tous droits réservés. Reproduction interdite.\n"
    "Mentions légales - Politique de confidentialité - Gérer les cookies\n"
).replace("'", APOSTROPHE)

# The entities a careful reader marks in FSB_ARRESTS: (text, label, canonical).
FSB_EXPECTED = {
    ("Service fédéral de sécurité", "organization", "Service fédéral de sécurité"),
    ("FSB", "organization", "Service fédéral de sécurité"),
    ("Saint-Pétersbourg", "location", "Saint-Pétersbourg"),
    ("État islamique", "group", "État islamique"),
    ("Telegram", "platform", "Telegram"),
    ("WhatsApp", "platform", "WhatsApp"),
    ("CIA", "organization", "CIA"),
    ("Dmitri Peskov", "person", "Dmitri Peskov"),
    ("Kremlin", "organization", "Kremlin"),
    ("Peskov", "person", "Dmitri Peskov"),
    ("Vladimir Poutine", "person", "Vladimir Poutine"),
    ("Paris", "location", "Paris"),
    ("Élysée", "organization", "Élysée"),
    ("Claire Dumont", "person", "Claire Dumont"),
    (
        "Institut français des relations internationales",
        "organization",
        "Institut français des relations internationales",
    ),
    ("IFRI", "organization", "Institut français des relations internationales"),
    ("EI", "group", "État islamique"),
    ("Saint-Petersbourg", "location", "Saint-Pétersbourg"),
    ("Wagner", "group", "Wagner"),
    ("Élysée", "location", "Élysée"),
}

# The acronym first, its expansion in parentheses; a quote opened and never closed;
# nested quotes; MM. for two persons.
DGSI_CELL = (
    "La DGSI (Direction générale de la sécurité intérieure) a démantelé une cellule "
    "liée à Al-Qaïda au Maghreb islamique à Marseille, selon une source proche de "
    "l'enquête. Les deux suspects, MM. Karim Benali et Youssef Haddad, utilisaient "
    "l'application Signal pour échanger avec un intermédiaire en Algérie.\n"
    "\n"
    f"«{NNBSP}Ils parlaient d'une opération “imminente”, a confié un enquêteur. "
    "La Maison-Blanche a salué la coopération des services français.\n"
).replace("'", APOSTROPHE)

HTML_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Moscou : Le Kremlin dément | Le Quotidien du Soir</title>
<meta property="og:title" content="Moscou : le Kremlin dément toute implication">
<meta name="author" content="Hélène Morel">
<meta property="article:published_time" content="2025-03-14T08:30:00+01:00">
<link rel="canonical" href="https://quotidien.example/monde/kremlin-dement">
</head>
<body>
<header><nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav></header>
<div class="cookie-banner">Nous utilisons des cookies. Accepter tous les cookies</div>
<article>
<h1>Moscou : le Kremlin dément toute implication</h1>
<p>Le porte-parole du Kremlin, Dmitri Peskov, a rejeté jeudi les accusations portées
par les autorités ukrainiennes, qui affirment que le Service fédéral de sécurité (FSB)
a recruté des agents par l&rsquo;intermédiaire de Telegram.</p>
<p>«&nbsp;Ces allégations sont absurdes&nbsp;», a-t-il déclaré à la presse à Moscou.
Le SBU, le service de sécurité ukrainien, dit disposer de preuves.</p>
<p>Selon Mme Hélène Morel, envoyée spéciale du Quotidien du Soir à Kiev, les
enquêteurs ukrainiens ont identifié une dizaine de comptes liés au FSB.</p>
</article>
<footer><p>© 2025 Le Quotidien du Soir. Tous droits réservés.</p>
<p>Mentions légales</p></footer>
</body>
</html>
"""

ENGLISH = (
    "The Federal Security Service said on Tuesday that it had arrested three men in "
    "Saint Petersburg. Kremlin spokesman Dmitry Peskov thanked the CIA for the tip.\n"
)
