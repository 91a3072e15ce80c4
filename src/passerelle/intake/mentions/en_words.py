"""The English entity rules' word lists: places, titles, cues, stop words (used by
:mod:`passerelle.intake.mentions.en`)."""

from __future__ import annotations

import re
from typing import Final

# Seats of power that speak for their occupants (pattern -> canonical name).
SEATS: Final = {
    r"Kremlin": "Kremlin",
    r"White House": "White House",
    r"Downing Street": "Downing Street",
    r"Pentagon": "Pentagon",
    r"[ÉE]lys[ée]e(?: Palace)?": "Élysée",
    r"Quai d'Orsay": "Quai d'Orsay",
    r"Lubyanka": "Lubyanka",
    r"Foggy Bottom": "Foggy Bottom",
    r"Zhongnanhai": "Zhongnanhai",
}
LOCATIVE: Final = re.compile(
    r"\b(?:in|at|inside|outside|into|near|from|to|toward|towards|visited|visit|left|entered)"
    r"\s+(?:the\s+)?$",
    re.I,
)
# Countries, regions and cities an intelligence desk meets; each a location.
PLACES: Final = frozenset(
    [
        *str.split(
            "Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan "
            "Bahrain Bangladesh Belarus Belgium Benin Bolivia Bosnia Brazil Bulgaria "
            "Burkina Cambodia Cameroon Canada Chad Chile China Colombia Congo Croatia Cuba "
            "Cyprus Czechia Denmark Djibouti Egypt Eritrea Estonia Ethiopia Finland France "
            "Gabon Georgia Germany Ghana Greece Guinea Hungary Iceland India Indonesia Iran "
            "Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan "
            "Laos Latvia Lebanon Libya Lithuania Luxembourg Macedonia Malaysia Mali Malta "
            "Mauritania Mexico Moldova Mongolia Montenegro Morocco Mozambique Myanmar Nepal "
            "Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palestine Panama Peru "
            "Philippines Poland Portugal Qatar Romania Russia Rwanda Senegal Serbia Singapore "
            "Slovakia Slovenia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Tajikistan "
            "Tanzania Thailand Togo Tunisia Turkey Turkmenistan Uganda Ukraine Uruguay "
            "Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Britain England Scotland Wales "
            "Europe Africa Asia America Sahel Maghreb Caucasus Balkans Crimea Donbas Donbass "
            "Chechnya Dagestan Ingushetia Transnistria Abkhazia Siberia Kaliningrad Gaza "
            "Moscow Kyiv Kiev Kharkiv Odesa Odessa Mariupol Donetsk Luhansk Kherson Lviv "
            "Minsk Tbilisi Baku Yerevan Astana Almaty Tashkent Dushanbe Bishkek Grozny "
            "Makhachkala Kazan Novosibirsk Yekaterinburg Sochi Rostov Belgorod Kursk Bryansk "
            "Paris Marseille Lyon Nice Toulouse Strasbourg Lille Bordeaux Nantes London "
            "Manchester Birmingham Berlin Munich Hamburg Brussels Amsterdam Hague Rome Milan "
            "Madrid Barcelona Lisbon Vienna Prague Warsaw Budapest Bucharest Sofia Belgrade "
            "Athens Helsinki Stockholm Oslo Copenhagen Riga Vilnius Tallinn Geneva Zurich "
            "Istanbul Ankara Damascus Aleppo Idlib Raqqa Baghdad Mosul Tehran Beirut Amman "
            "Jerusalem Cairo Tripoli Benghazi Tunis Algiers Rabat Bamako Niamey Ouagadougou "
            "Mogadishu Nairobi Kabul Kandahar Islamabad Karachi Delhi Beijing Shanghai Tokyo "
            "Seoul Pyongyang Washington Virginia California Texas Florida Chicago Ottawa"
        ),
        "St Petersburg",
        "St. Petersburg",
        "Saint Petersburg",
        "Saint-Petersburg",
        "New York",
        "Los Angeles",
        "United States",
        "United Kingdom",
        "Middle East",
        "North Africa",
        "West Africa",
        "Central Asia",
        "North Caucasus",
        "Saudi Arabia",
        "South Africa",
        "North Korea",
        "South Korea",
        "Ivory Coast",
        "Sri Lanka",
        "New Zealand",
        "West Bank",
        "Gaza Strip",
        "Nizhny Novgorod",
        "Hong Kong",
    ]
)
PLACE_WORDS: Final = frozenset(
    str.split(
        "Province Region Oblast Krai District County Street Avenue Square Road River Sea "
        "Mountains Island Islands Valley Gulf Strait Bay Peninsula Republic City Airport Port"
    )
)
# Buildings and sites named for themselves: places, whatever their other words
# ("Toronto West Detention Centre", "Kishwaukee Community Hospital", "Hotel Shamo").
BUILDING_WORDS: Final = frozenset(
    str.split(
        "Hospital Hall Hotel Prison Jail Zone Base Cemetery Camp Stadium Mosque Church "
        "Cathedral Temple Synagogue Station Bridge Airfield Airbase Barracks Compound"
    )
)
ORG_WORDS: Final = frozenset(
    str.split(
        "Service Services Agency Ministry Bureau Council Committee Commission Department "
        "Directorate Office Inc Ltd LLC Corp Corporation Company Group Bank Institute "
        "University College Court Police Army Navy Forces Force Guard Command Parliament "
        "Duma Senate Assembly Party Union Association Foundation Centre Center Authority "
        "Organisation Organization Agency Federation Board Network Media News Times Post "
        "Tribune Journal Press Presse Agence Radio Television TV Telegraph Herald Reuters "
        "Prosecutor's House Nations Endowment Fund Trust Corps Club Airlines Airways Holdings "
        "Investigative Committee Cabinet Government Administration Secretariat Embassy "
        "Consulate Mission Tribunal Interpol Europol NATO UN Alliance Exchange"
    )
)
GROUP_WORDS: Final = frozenset(
    str.split("Brigade Brigades Battalion Militia Militias Mujahideen Jihad Emirate Legion")
)
GROUP_BEFORE: Final = re.compile(
    r"\b(?:group|organi[sz]ation|movement|militia|network|faction|cell|outfit|battalion)\s+$",
    re.I,
)
GROUP_AFTER: Final = re.compile(
    r"^\s+(?:militants?|fighters?|jihadists?|insurgents?|mercenar(?:y|ies)|group)\b", re.I
)
GROUP_ADJECTIVE: Final = re.compile(
    r"\b(?:terrorist|militant|jihadist|islamist|armed|paramilitary|extremist|mercenary|"
    r"separatist|neo-nazi|insurgent)\s+(?:\w+\s+){0,2}$",
    re.I,
)
TITLES: Final = frozenset(
    str.split(
        "Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Prof Prof. Sir Dame Lord Lady President "
        "Vice Prime Minister Secretary Senator Sen. Rep. Representative Congressman "
        "Congresswoman General Gen. Colonel Col. Lieutenant Lt. Major Maj. Captain Capt. "
        "Sergeant Sgt. Admiral Adm. Commander Judge Justice Ambassador Governor Gov. Mayor "
        "Chancellor King Queen Prince Princess Pope Sheikh Imam Emir Patriarch Chairman "
        "Chairwoman Director Deputy Chief Commissioner Prosecutor Spokesman Spokeswoman "
        "Agent Officer Inspector Detective Professor Father Rabbi Speaker Lawyer Attorney"
    )
)
TITLE_MODIFIERS: Final = frozenset(
    str.split(
        "Foreign Defence Defense Interior Justice Finance Economy Health Home State Prime "
        "Vice Deputy Former Acting Chief Attorney Supreme Lieutenant Major Secretary-General "
        "General Kremlin High Assistant Senior Special EU UN U.S. US UK NATO"
    )
)
TITLE_BEFORE: Final = re.compile(
    r"\b(?:spokes(?:man|woman|person)|minister|president|leader|chief|head|director|"
    r"commander|analyst|researcher|expert|correspondent|journalist|lawyer|envoy|"
    r"ambassador|aide|adviser|advisor|official|officer|agent|founder|owner|blogger|"
    r"suspect|defendant|businessman|businesswoman|colonel|general|general secretary)"
    r"\s*,?\s+$",
)
SPEECH_AFTER: Final = re.compile(
    r"^\s*,?\s+(?:said|says|told|added|wrote|stated|declared|insisted|claimed|denied|"
    r"argued|explained|warned)\b"
)
SPEECH_BEFORE: Final = re.compile(r"\b(?:said|says|told|added|wrote|according to)\s+$")
# "the town of Janzur", "transferred to Greenock"; "the Hananiyah neighborhood", "the
# Lockerbie bombing" (a place named for what happened there).
PLACE_OF: Final = re.compile(
    r"\b(?:(?:town|city|village|state|province|region|district|neighbou?rhood|capital|"
    r"suburb|island|county)\s+of|(?:transferred|moved|flown|taken|sent|travell?ed|returned|"
    r"deported|extradited|fled)\s+to)\s+$"
)
PLACE_NOUN_AFTER: Final = re.compile(
    r"^(?:'s)?\s+(?:neighbou?rhood|province|district|village|town|region|county|suburb|"
    r"governorate|bombing|bombings|attack|attacks|shooting|massacre|home)\b"
)
PLACE_BEFORE: Final = re.compile(
    r"\b(?:in|from|near|outside|across|into|towards?|via|throughout)\s+$"
)
CONNECTORS: Final = frozenset(
    str.split("of for the al el ul ad ash wal bin ibn de du la le van von der")
)
STOP: Final = frozenset(
    str.split(
        "The A An In On At By For From To Of With Without But And Or Nor So Yet If When "
        "While Whereas After Before Since Until During According However Meanwhile Although "
        "Though Despite As Because He She They It We I You His Her Their Its Our My Your "
        "This That These Those There Here Some Many Most Both All Each Every Other Another "
        "One Two Three Four Five Six Seven Eight Nine Ten Last Next First Second Third "
        "Such No Not Nothing None Neither Either Also Then Thus Still Even Only Just What "
        "Who Whom Whose Which Where Why How Asked Earlier Later Today Yesterday Tomorrow "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April May June July August September October November December Read More "
        "Advertisement Photo Copyright Related Share Subscribe Updated Published Reporting "
        "Editing "
        "Former Current Late Then Several Few Various Numerous Dozens Hundreds Thousands "
        "Eleven Twelve Thirteen Fourteen Fifteen Sixteen Seventeen Eighteen Nineteen Twenty "
        "GMT UTC CST EST PST CET MSK "
        "Mr Mrs Ms Dr Sir Prosecutors Police Officials Investigators Witnesses Residents "
        "Analysts Authorities Sources Experts Critics Officers Troops Rescuers Doctors "
        "Lawyers Fighters Militants Soldiers Protesters Activists Journalists Reporters"
    )
)
# Demonyms: not names, unless they begin one ("European Union", "Russian Navy").
DEMONYMS: Final = frozenset(
    str.split(
        "Russian Russians French Frenchman British Briton Britons English American "
        "Americans Ukrainian Ukrainians European Europeans German Germans Italian Spanish "
        "Polish Belarusian Chechen Georgian Syrian Iraqi Afghan Iranian Israeli Palestinian "
        "Chinese Japanese Turkish Kurdish Arab Arabic Islamic Islamist Muslim Christian "
        "Jewish Western Soviet Sunni Shia Shiite Jihadist Eastern Northern Southern "
        "Canadian Jordanian Ethiopian Egyptian Libyan Scottish Saudi Asian African Pakistani "
        "Indian Lebanese Yemeni Somali Nigerian Algerian Moroccan Tunisian Kuwaiti Qatari "
        "Christians Muslims Jews Islam God Allah Jihad Web Internet Soviets Australian Burundian "
        "Ugandan Kenyan Sudanese Baloch Pashtun Tajik Uzbek Kazakh Hebrew Urdu Pashto Persian "
        "Farsi Dari Russian-speaking"
    )
)
# Plural demonyms and adherents: "Iraqis", "Shiites", "Canadians", "Pakistanis".
DEMONYM_PLURAL: Final = re.compile(r"[A-Z][a-z]+(?:ians|ites|is|ese|ans)")
# Country acronyms: places, not organisations.
PLACE_ACRONYMS: Final = {
    **dict.fromkeys(str.split("U.S. U.S US USA U.S.A."), "United States"),
    **dict.fromkeys(str.split("UK U.K. U.K"), "United Kingdom"),
    "UAE": "United Arab Emirates",
}
# Words that end a run of capitalised words without being part of the name ("Basra
# Saturday", "Baghdad Friday").
TRAILING: Final = frozenset(
    str.split(
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April June July August September October November December"
    )
)
# Particles inside Arabic-style names ("Abdelbaset Ali al-Megrahi", "Sharif Ali bin Zaid").
NAME_PARTICLES: Final = frozenset(str.split("al Al el bin ibn ul ad ash bint abu Abu"))
ACRONYM: Final = re.compile(r"[A-Z][A-Z0-9&]{1,7}")
# Lower-case words after a hyphen that make an adjective of a name ("US-led").
SUFFIXES: Final = frozenset(str.split("led run born made held back based type era wide"))
# Abbreviations after which a name goes on ("St. Anthony"); any other word ending in a
# full stop ends the run ("Mohammed Jan. Mohammed Jan" is two sentences).
ABBREVIATIONS: Final = frozenset(str.split("St. Mt. Ft. Jr. Sr. Bros. Co."))
