"""Word lists and code sets the generator draws from: official code sets, invented employers, Faker name lists."""

from __future__ import annotations

from faker.providers.person.en_US import Provider as _Person

# NCSBE county list: county_id is the 1-based position.
NC_COUNTIES = (
    "ALAMANCE ALEXANDER ALLEGHANY ANSON ASHE AVERY BEAUFORT BERTIE BLADEN BRUNSWICK BUNCOMBE BURKE CABARRUS "
    "CALDWELL CAMDEN CARTERET CASWELL CATAWBA CHATHAM CHEROKEE CHOWAN CLAY CLEVELAND COLUMBUS CRAVEN CUMBERLAND "
    "CURRITUCK DARE DAVIDSON DAVIE DUPLIN DURHAM EDGECOMBE FORSYTH FRANKLIN GASTON GATES GRAHAM GRANVILLE GREENE "
    "GUILFORD HALIFAX HARNETT HAYWOOD HENDERSON HERTFORD HOKE HYDE IREDELL JACKSON JOHNSTON JONES LEE LENOIR "
    "LINCOLN MACON MADISON MARTIN MCDOWELL MECKLENBURG MITCHELL MONTGOMERY MOORE NASH NEW_HANOVER NORTHAMPTON "
    "ONSLOW ORANGE PAMLICO PASQUOTANK PENDER PERQUIMANS PERSON PITT POLK RANDOLPH RICHMOND ROBESON ROCKINGHAM "
    "ROWAN RUTHERFORD SAMPSON SCOTLAND STANLY STOKES SURRY SWAIN TRANSYLVANIA TYRRELL UNION VANCE WAKE WARREN "
    "WASHINGTON WATAUGA WAYNE WILKES WILSON YADKIN YANCEY"
)
NC_COUNTIES = tuple(name.replace("_", " ") for name in NC_COUNTIES.split())
assert len(NC_COUNTIES) == 100

# (city, state, county name, zip prefix, population weight). Ohio counties carry the SOS county number.
CITIES = [
    ("CHARLOTTE", "NC", "MECKLENBURG", "282", 18), ("RALEIGH", "NC", "WAKE", "276", 10),
    ("GREENSBORO", "NC", "GUILFORD", "274", 6), ("DURHAM", "NC", "DURHAM", "277", 6),
    ("WINSTON SALEM", "NC", "FORSYTH", "271", 5), ("FAYETTEVILLE", "NC", "CUMBERLAND", "283", 4),
    ("CARY", "NC", "WAKE", "275", 3), ("WILMINGTON", "NC", "NEW HANOVER", "284", 3),
    ("HIGH POINT", "NC", "GUILFORD", "272", 2), ("CONCORD", "NC", "CABARRUS", "280", 2),
    ("ASHEVILLE", "NC", "BUNCOMBE", "288", 2), ("GASTONIA", "NC", "GASTON", "280", 2),
    ("GREENVILLE", "NC", "PITT", "278", 2), ("JACKSONVILLE", "NC", "ONSLOW", "285", 2),
    ("BURLINGTON", "NC", "ALAMANCE", "272", 1), ("ROCKY MOUNT", "NC", "NASH", "278", 1),
    ("HICKORY", "NC", "CATAWBA", "286", 1), ("GOLDSBORO", "NC", "WAYNE", "275", 1),
    ("WILSON", "NC", "WILSON", "278", 1), ("SALISBURY", "NC", "ROWAN", "281", 1),
    ("MONROE", "NC", "UNION", "281", 1), ("SANFORD", "NC", "LEE", "273", 1),
    ("BOONE", "NC", "WATAUGA", "286", 1), ("LUMBERTON", "NC", "ROBESON", "283", 1),
    ("STATESVILLE", "NC", "IREDELL", "286", 1), ("NEW BERN", "NC", "CRAVEN", "285", 1),
    ("ELIZABETH CITY", "NC", "PASQUOTANK", "279", 1), ("BURNSVILLE", "NC", "YANCEY", "287", 1),
    ("SMITHFIELD", "NC", "JOHNSTON", "275", 1), ("LEXINGTON", "NC", "DAVIDSON", "272", 1),
    ("TARBORO", "NC", "EDGECOMBE", "278", 1), ("KINSTON", "NC", "LENOIR", "285", 1),
    ("COLUMBUS", "OH", "FRANKLIN", "432", 4), ("CLEVELAND", "OH", "CUYAHOGA", "441", 4),
    ("CINCINNATI", "OH", "HAMILTON", "452", 3), ("TOLEDO", "OH", "LUCAS", "436", 2),
    ("AKRON", "OH", "SUMMIT", "443", 2), ("DAYTON", "OH", "MONTGOMERY", "454", 2),
    ("YOUNGSTOWN", "OH", "MAHONING", "445", 1), ("CANTON", "OH", "STARK", "447", 1),
]
OHIO_COUNTY_NUMBER = {"FRANKLIN": 25, "CUYAHOGA": 18, "HAMILTON": 31, "LUCAS": 48, "SUMMIT": 77,
                      "MONTGOMERY": 57, "MAHONING": 50, "STARK": 76}
NC_AREA_CODES = ("704", "919", "336", "910", "828", "252", "980", "984")
OH_AREA_CODES = ("614", "216", "513", "419", "330", "937")

STREET_NAMES = (
    "MAIN", "CHURCH", "ELM", "OAK", "PINE", "MAPLE", "CEDAR", "WALNUT", "HICKORY", "DOGWOOD", "MAGNOLIA",
    "WASHINGTON", "JEFFERSON", "LINCOLN", "FRANKLIN", "MARKET", "TRADE", "TRYON", "HILLSBOROUGH", "GLENWOOD",
    "WADE", "CAPITAL", "INDUSTRIAL", "COMMERCE", "PARK", "LAKE", "RIVER", "MILL", "SPRING", "HIGHLAND",
    "RIDGE", "FOREST", "MEADOW", "WILLOW", "BIRCH", "POPLAR", "CHESTNUT", "SYCAMORE", "JOHNSON", "KING",
    "PROVIDENCE", "SOUTH", "BROAD", "UNION", "CENTER", "CAROLINA", "PIEDMONT", "BLUE RIDGE", "HARBOR", "SUNSET",
)
STREET_SUFFIXES = ("ST", "AVE", "RD", "DR", "LN", "CT", "BLVD", "WAY", "PKWY", "HWY", "PL", "CIR")

FIRST_MALE = tuple(sorted({n.upper() for n in _Person.first_names_male}))
FIRST_FEMALE = tuple(sorted({n.upper() for n in _Person.first_names_female}))
LAST_NAMES = tuple(sorted({n.upper() for n in _Person.last_names}))
# Latin-1 accented names: NC voter files carry them, the union's roll usually loses the accent.
ACCENTED_FIRST_MALE = ("JOSÉ", "JESÚS", "ANDRÉS", "RAMÓN", "JOAQUÍN", "HÉCTOR", "RUBÉN", "ÁNGEL")
ACCENTED_FIRST_FEMALE = ("MARÍA", "SOFÍA", "ROCÍO", "INÉS", "BEATRÍZ", "RAQUEL", "MÓNICA", "LUCÍA")
ACCENTED_LAST = ("MUÑOZ", "PEÑA", "NÚÑEZ", "GONZÁLEZ", "RAMÍREZ", "IBÁÑEZ", "MARTÍNEZ", "HERNÁNDEZ",
                 "GÓMEZ", "PÉREZ", "RODRÍGUEZ", "SÁNCHEZ")
SUFFIXES = ("JR", "SR", "II", "III", "IV")
NICKNAMES = {
    "ROBERT": "Bob", "WILLIAM": "Bill", "RICHARD": "Rick", "JAMES": "Jim", "JOHN": "Jack", "MICHAEL": "Mike",
    "JOSEPH": "Joe", "THOMAS": "Tom", "CHARLES": "Chuck", "CHRISTOPHER": "Chris", "DANIEL": "Dan",
    "MATTHEW": "Matt", "ANTHONY": "Tony", "DONALD": "Don", "STEVEN": "Steve", "KENNETH": "Ken",
    "JOSHUA": "Josh", "ANDREW": "Andy", "EDWARD": "Ed", "RONALD": "Ron", "TIMOTHY": "Tim", "GREGORY": "Greg",
    "JENNIFER": "Jen", "ELIZABETH": "Liz", "PATRICIA": "Pat", "KATHERINE": "Kathy", "MARGARET": "Peggy",
    "SUSAN": "Sue", "DEBORAH": "Debbie", "REBECCA": "Becky", "KIMBERLY": "Kim", "CYNTHIA": "Cindy",
    "JESSICA": "Jess", "SAMANTHA": "Sam", "VICTORIA": "Vicky", "CHRISTINE": "Chris", "ALEXANDER": "Alex",
    "BENJAMIN": "Ben", "NICHOLAS": "Nick", "JONATHAN": "Jon", "PATRICK": "Pat", "SAMUEL": "Sam",
}

# NC code sets (layout_ncvoter.txt) with rough shares.
RACE_CODES = (("W", 0.58), ("B", 0.21), ("A", 0.03), ("I", 0.01), ("M", 0.02), ("O", 0.04), ("P", 0.002),
              ("U", 0.098))
ETHNIC_CODES = (("NL", 0.70), ("HL", 0.05), ("UN", 0.25))
PARTY_CODES = (("DEM", 0.32), ("REP", 0.30), ("UNA", 0.36), ("LIB", 0.01), ("GRE", 0.005), ("CST", 0.005))
PARTY_DESC = {"DEM": "DEMOCRATIC", "REP": "REPUBLICAN", "UNA": "UNAFFILIATED", "LIB": "LIBERTARIAN",
              "GRE": "GREEN", "CST": "CONSTITUTION"}
# status_cd -> (voter_status_desc, share, ((reason_cd, reason_desc), ...))
VOTER_STATUS = {
    "A": ("ACTIVE", 0.80, (("AV", "VERIFIED"), ("AN", "UNVERIFIED NEW"), ("AP", "VERIFICATION PENDING"))),
    "I": ("INACTIVE", 0.12, (("IN", "CONFIRMATION NOT RETURNED"), ("IU", "CONFIRMATION RETURNED UNDELIVERABLE"))),
    "R": ("REMOVED", 0.06, (("RL", "MOVED FROM COUNTY"), ("RS", "MOVED FROM STATE"), ("RD", "DECEASED"),
                            ("RF", "FELONY CONVICTION"))),
    "D": ("DENIED", 0.01, (("DI", "UNAVAILABLE ESSENTIAL INFORMATION"), ("DN", "NOT A CITIZEN"))),
    "S": ("TEMPORARY", 0.01, (("SM", "MILITARY"), ("SO", "OVERSEAS CITIZEN"))),
}
BIRTH_STATES = ("NC", "NC", "NC", "NC", "VA", "SC", "NY", "FL", "GA", "PA", "OH", "", "")

# General elections and primaries in the voter history (label, description, kind).
ELECTIONS = (
    ("11/02/2004", "11/02/2004 GENERAL", "G"), ("11/07/2006", "11/07/2006 GENERAL", "G"),
    ("05/06/2008", "05/06/2008 PRIMARY", "P"), ("11/04/2008", "11/04/2008 GENERAL", "G"),
    ("11/02/2010", "11/02/2010 GENERAL", "G"), ("05/08/2012", "05/08/2012 PRIMARY", "P"),
    ("11/06/2012", "11/06/2012 GENERAL", "G"), ("11/04/2014", "11/04/2014 GENERAL", "G"),
    ("03/15/2016", "03/15/2016 PRIMARY", "P"), ("11/08/2016", "11/08/2016 GENERAL", "G"),
    ("11/06/2018", "11/06/2018 GENERAL", "G"), ("03/03/2020", "03/03/2020 PRIMARY", "P"),
    ("11/03/2020", "11/03/2020 GENERAL", "G"), ("05/17/2022", "05/17/2022 PRIMARY", "P"),
    ("11/08/2022", "11/08/2022 GENERAL", "G"), ("03/05/2024", "03/05/2024 PRIMARY", "P"),
    ("11/05/2024", "11/05/2024 GENERAL", "G"),
)
VOTING_METHODS = (("IN-PERSON", 0.40), ("ABSENTEE ONESTOP", 0.45), ("ABSENTEE BY MAIL", 0.10),
                  ("PROVISIONAL", 0.02), ("CURBSIDE", 0.01), ("TRANSFER", 0.02))
OHIO_ELECTIONS = ("PRIMARY-03/17/2020", "GENERAL-11/03/2020", "PRIMARY-05/03/2022", "GENERAL-11/08/2022",
                  "PRIMARY-03/19/2024", "GENERAL-11/05/2024")

# Industries: (label, NAICS 6-digit, SIC, OSHA hazard rate, election-logit effect, workplace nouns)
INDUSTRIES = (
    ("poultry", 311615, 2015, 2.2, 0.0, ("Poultry", "Foods", "Protein", "Processing")),
    ("textile", 313210, 2211, 1.4, -0.2, ("Textile", "Mills", "Fabrics", "Yarns")),
    ("furniture", 337122, 2511, 1.5, -0.1, ("Furniture", "Woodworks", "Casegoods")),
    ("auto_parts", 336390, 3714, 1.6, 0.2, ("Automotive", "Components", "Precision Parts")),
    ("warehouse", 493110, 4225, 1.3, 0.1, ("Logistics", "Distribution", "Fulfillment")),
    ("trucking", 484121, 4213, 1.0, 0.1, ("Freight", "Transport", "Trucking")),
    ("hospital", 622110, 8062, 0.6, 0.5, ("Health", "Medical Center", "Regional Hospital")),
    ("nursing_home", 623110, 8051, 0.7, 0.4, ("Care Center", "Rehab", "Health & Rehabilitation")),
    ("grocery", 445110, 5411, 0.5, -0.3, ("Foods", "Grocers", "Market")),
    ("retail", 452311, 5331, 0.4, -0.5, ("Supercenter", "Discount", "Stores")),
    ("hotel", 721110, 7011, 0.5, 0.2, ("Hotels", "Inn", "Hospitality")),
    ("university", 611310, 8221, 0.3, 0.7, ("University", "College")),
    ("construction", 236220, 1542, 2.5, 0.0, ("Builders", "Construction", "Contractors")),
    ("call_center", 561422, 7389, 0.2, 0.0, ("Solutions", "Teleservices", "Contact Center")),
)
BRAND_WORDS = (
    "Piedmont", "Tarheel", "Blue Ridge", "Cardinal", "Longleaf", "Catawba", "Cape Fear", "Yadkin", "Pamlico",
    "Sandhills", "Buckeye", "Lakeshore", "Summit", "Ironwood", "Keystone", "Northstar", "Pinecrest", "Riverbend",
    "Crescent", "Harvest", "Heritage", "Liberty", "Patriot", "Pioneer", "Redbud", "Southern", "Triad", "Triangle",
    "Mountain View", "Atlantic", "Coastal", "Greenway", "Oakmont", "Brightwater", "Cedar Creek", "Eagle",
)
# Chain-style employers (invented, modelled on familiar naming patterns): legal name, industry, store brand.
CHAINS = (
    ("Mega-Mart Stores", "retail", "Mega Mart Supercenter"), ("ValuMax", "retail", "ValuMax Discount"),
    ("FreshWay Grocers", "grocery", "FreshWay Market"), ("Food Giant", "grocery", "Food Giant Supermarket"),
    ("QuikShip Logistics", "warehouse", "QuikShip Fulfillment Center"),
    ("Parcel Express", "warehouse", "PX Sort Hub"), ("Comfort Stay Hotels", "hotel", "Comfort Stay Inn & Suites"),
    ("Sunrise Senior Living", "nursing_home", "Sunrise Care Center"),
    ("CarePoint Health", "hospital", "CarePoint Medical Center"),
)
LEGAL_SUFFIXES = ("Inc.", "LLC", "Corp.", "Co.", "L.P.", "Incorporated", "Company")
SUFFIX_VARIANTS = {
    "Inc.": ("INC", "Inc", "Inc.", ", Inc.", "INCORPORATED", ""),
    "LLC": ("LLC", "L.L.C.", ", LLC", "Llc", ""),
    "Corp.": ("CORP", "Corporation", "Corp", "CORPORATION", ""),
    "Co.": ("CO", "Company", "Co", ""),
    "L.P.": ("LP", "L.P.", "LIMITED PARTNERSHIP", ""),
    "Incorporated": ("INC", "Inc.", "INCORPORATED", ""),
    "Company": ("CO", "Co.", "COMPANY", ""),
}
ABBREVIATIONS = {"Logistics": "Log.", "Distribution": "Dist", "Processing": "Proc", "Manufacturing": "Mfg",
                 "Health": "Hlth", "Medical Center": "Med Ctr", "Rehabilitation": "Rehab", "Company": "Co",
                 "Services": "Svcs", "International": "Intl", "Regional Hospital": "Reg Hosp",
                 "Transport": "Trans", "Construction": "Const", "University": "Univ", "Supercenter": "Supctr"}

UNION_NAME = "Service and Industrial Workers Union"
UNION_LOCALS = (101, 204, 317, 428, 550, 612)
OTHER_UNIONS = (
    "United Food and Commercial Workers International Union, Local 1208",
    "International Brotherhood of Teamsters, Local Union No. 391",
    "Service Employees International Union, Local 1199",
    "Retail, Wholesale and Department Store Union",
    "United Steelworkers, District 9",
    "Communications Workers of America, Local 3060",
    "UNITE HERE Local 23",
    "International Association of Machinists and Aerospace Workers, District 110",
    "Workers United, Southern Regional Joint Board",
)
NLRB_REGIONS = {"NC": ("10", "Region 10, Atlanta, Georgia"), "OH": ("08", "Region 08, Cleveland, Ohio")}

MEMBER_CLASSES = (("Production Worker", 0.30, 0.0), ("Material Handler", 0.15, 0.0), ("Machine Operator", 0.12, 0.2),
                  ("Maintenance Tech", 0.08, 0.6), ("CNA", 0.10, 0.1), ("LPN", 0.05, 0.4), ("Cashier", 0.08, -0.4),
                  ("Driver", 0.07, 0.3), ("Housekeeper", 0.05, -0.2))
MEMBER_STATUS = (("ACTIVE", 0.82), ("RETIRED", 0.06), ("SUSPENDED", 0.03), ("TERMINATED", 0.04), ("LEAVE", 0.05))
DUES_STATUS = (("CHECKOFF", 0.70), ("DIRECT PAY", 0.15), ("ARREARS", 0.10), ("EXEMPT", 0.05))

GRIEVANCE_CATEGORIES = ("discipline", "overtime", "safety", "seniority", "pay", "scheduling")
GRIEVANCE_ARTICLES = {"discipline": "Art. 7 Discipline", "overtime": "Art. 12 Overtime", "safety": "Art. 18 Safety",
                      "seniority": "Art. 9 Seniority", "pay": "Art. 14 Wages", "scheduling": "Art. 11 Hours"}
GRIEVANCE_TEXT = {
    "discipline": ("Grievant received a written warning without just cause", "Suspension issued without investigation",
                   "Termination; employer failed to follow progressive discipline"),
    "overtime": ("Overtime offered out of seniority order", "Mandatory overtime without required notice",
                 "Overtime not paid at time and one half"),
    "safety": ("Guarding missing on line; grievant sent home for refusing unsafe work",
               "No PPE provided in cooler", "Heat stress: breaks denied on the dock"),
    "seniority": ("Junior employee awarded the bid", "Layoff out of seniority order", "Seniority date wrong on list"),
    "pay": ("Shift differential not paid", "Shorted hours on paycheck", "Wrong rate after reclassification"),
    "scheduling": ("Schedule changed without 7 days notice", "Denied approved vacation", "Split shifts assigned"),
}
GRIEVANCE_STEPS = ("Step 1", "Step 2", "Step 3", "Arbitration")
GRIEVANCE_OUTCOMES = ("Granted", "Settled", "Denied", "Withdrawn")

ULP_ALLEGATIONS_CA = (
    "8(a)(1) Coercive Statements (Threats, Promises of Benefits, etc.)",
    "8(a)(1) Interrogation (including Polling)",
    "8(a)(3) Discharge (Including Layoff and Refusal to Hire (not salting))",
    "8(a)(1) Concerted Activities (Retaliation, Discharge, Discipline)",
    "8(a)(5) Refusal to Bargain/Bad Faith Bargaining (incl'g surface bargaining/direct dealing)",
    "8(a)(3) Changes in Terms and Conditions of Employment",
    "8(a)(1) Coercive Actions (Surveillance, etc)",
)
ULP_ALLEGATIONS_CB = ("8(b)(1)(A) Duty of Fair Representation, incl'g Superseniority, denial of access",
                      "8(b)(1)(A) Coercion, incl'g Discipline of Member")
CASE_REASONS_C = ("Withdrawal Non-adjusted", "Dismissal Non-adjusted", "Withdrawal Adjusted", "Informal Settlement",
                  "Formal Settlement")
OSHA_STANDARDS = ("19100212 A01", "19100147 C04", "19101200 H01", "19100178 L01", "19100132 A", "19100303 G02",
                  "19100037 A03", "19260501 B01", "19260451 G01", "19100022 A01", "19100157 C01", "19100095 C01")
OSHA_ACCIDENT_EVENTS = ("Worker's hand caught in conveyor", "Employee struck by forklift",
                        "Worker falls from ladder", "Employee burned by hot oil", "Worker injured by saw",
                        "Employee amputates finger in press", "Worker suffers heat exhaustion",
                        "Employee crushed between trailer and dock")
