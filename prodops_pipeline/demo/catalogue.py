"""The fixed vocabulary of the demo world: features, segments, plans, names and verbatims."""

from __future__ import annotations

# key, name, product area, core, released (days from START; negative = before), retired, adoption
# probability, chance of use on an active day once adopted, median days to adopt
FEATURES = (
    ("dashboards", "Dashboards", "analytics", True, -700, None, 0.85, 0.55, 5),
    ("reports", "Reports", "analytics", True, -650, None, 0.70, 0.35, 12),
    ("data_export", "Data export", "analytics", False, -600, None, 0.40, 0.10, 30),
    ("alerts", "Alerts", "monitoring", True, -500, None, 0.55, 0.25, 20),
    ("integrations", "Integrations", "platform", True, -480, None, 0.45, 0.08, 25),
    ("user_roles", "User roles", "admin", False, -450, None, 0.20, 0.04, 40),
    ("api_keys", "API keys", "platform", False, -400, None, 0.15, 0.06, 45),
    ("sso", "Single sign-on", "admin", False, -300, None, 0.10, 0.05, 60),
    ("comments", "Comments", "collaboration", True, -250, None, 0.60, 0.30, 15),
    ("sharing", "Sharing", "collaboration", True, -200, None, 0.50, 0.20, 18),
    ("templates", "Templates", "analytics", False, -150, None, 0.35, 0.12, 25),
    ("legacy_charts", "Legacy charts", "analytics", False, -900, 150, 0.25, 0.15, 10),
    ("mobile_app", "Mobile app", "platform", False, -90, None, 0.18, 0.20, 35),
    ("audit_log", "Audit log", "admin", False, -60, None, 0.06, 0.05, 50),
    ("ai_assistant", "AI assistant", "analytics", True, 45, None, 0.45, 0.30, 30),
    ("workflows", "Workflows", "automation", True, 74, None, 0.35, 0.20, 40),
    ("scheduled_reports", "Scheduled reports", "analytics", False, 105, None, 0.30, 0.10, 30),
    ("custom_fields", "Custom fields", "platform", False, 136, None, 0.25, 0.08, 45),
    ("goals", "Goals", "collaboration", False, 166, None, 0.20, 0.10, 50),
    ("forecasting", "Forecasting", "analytics", False, 197, None, 0.15, 0.10, 55),
    ("sandbox", "Sandbox", "platform", False, 227, None, 0.0, 0.0, 30),
    ("dark_mode", "Dark mode", "platform", False, 258, None, 0.0, 0.0, 30),
    ("webhooks", "Webhooks", "automation", False, 288, None, 0.12, 0.08, 30),
    ("embedded_analytics", "Embedded analytics", "analytics", True, 319, None, 0.20, 0.15, 35),
    ("journeys", "Journeys", "automation", True, 410, None, 0.30, 0.15, 30),
    ("benchmarks", "Benchmarks", "analytics", False, 520, None, 0.25, 0.10, 30),
)

INDUSTRIES = ("software", "fintech", "healthcare", "retail", "manufacturing", "education", "media")
INDUSTRY_WEIGHTS = (0.26, 0.14, 0.12, 0.14, 0.12, 0.1, 0.12)
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_WEIGHTS = (0.45, 0.32, 0.15, 0.08)
REGION_UTC_OFFSET_HOURS = (-6, 1, 8, -4)
EMPLOYEE_BANDS = ("1-50", "51-200", "201-1000", "1001-5000", "5000+")
BAND_WEIGHTS = (0.34, 0.3, 0.2, 0.11, 0.05)
BAND_SEATS = (5, 12, 30, 70, 150)  # median seats bought

PLANS = ("starter", "growth", "enterprise")
PLAN_BY_BAND = ((0.8, 0.18, 0.02), (0.45, 0.48, 0.07), (0.15, 0.6, 0.25), (0.04, 0.4, 0.56), (0.0, 0.2, 0.8))
PRICE_PER_SEAT = (15.0, 35.0, 60.0)
MONTHLY_CHURN = (0.03, 0.018, 0.008)  # planted logo churn hazard per plan, before health
TRIAL_CONVERSION = 0.55
TRIAL_DAYS = 14
WINBACK_MONTHLY = 0.04
CURRENCY = "USD"

# NPS mix planted per plan: detractor, passive, promoter shares
NPS_MIX = {"starter": (0.30, 0.38, 0.32), "growth": (0.22, 0.36, 0.42), "enterprise": (0.15, 0.33, 0.52)}

CSM_OWNERS = ("Dana Whitfield", "Luis Ortega", "Mei Tanaka", "Sam Okafor", "Priya Raman", "Jonas Berg")
FIRST_NAMES = ("anna", "ben", "carla", "david", "elena", "farid", "greta", "hiro", "ines", "jamal", "kate",
               "liam", "maria", "noah", "olga", "pedro", "quinn", "rosa", "sven", "tara", "umar", "vera",
               "wei", "xena", "yusuf", "zoe")
LAST_NAMES = ("smith", "garcia", "muller", "rossi", "kim", "nguyen", "okafor", "dubois", "silva", "jensen",
              "kowalski", "haddad", "ito", "patel", "brown", "novak", "larsen", "moreau", "costa", "weber")
NAME_PARTS = ("nor", "vex", "tal", "quin", "bri", "sol", "mar", "kel", "zen", "lum", "dra", "fen", "gal",
              "hol", "ist", "jor", "kap", "lor", "mir", "nex", "orb", "pel", "ryn", "sta", "tor", "vel")
NAME_SUFFIXES = ("Labs", "Systems", "Corp", "Health", "Retail", "Works", "Group", "Analytics", "Bank", "Media")

PAGES = ("/home", "/dashboards", "/reports", "/settings", "/search", "/inbox", "/projects", "/billing")
PLATFORMS = ("web", "desktop", "ios", "android", "api")
PLATFORM_WEIGHTS = (0.7, 0.15, 0.07, 0.05, 0.03)

TICKET_TYPES = ("question", "incident", "problem", "task")
TICKET_TYPE_WEIGHTS = (0.45, 0.25, 0.15, 0.15)
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_WEIGHTS = (0.2, 0.55, 0.18, 0.07)
FIRST_REPLY_MEDIAN_MINUTES = (720, 360, 120, 30)
RESOLUTION_MEDIAN_HOURS = (72, 30, 12, 5)
TICKET_CHANNELS = ("email", "web", "chat", "phone", "api")
TICKET_CHANNEL_WEIGHTS = (0.45, 0.3, 0.15, 0.07, 0.03)
SUBJECTS = ("Cannot load {f}", "How do I use {f}?", "{f} is slow", "Error in {f}", "Request: improve {f}",
            "Billing question", "Add users to our account", "{f} shows wrong numbers")

COMMENTS = {
    "promoter": (
        "Love it, the {f} saves us hours every week.", "Great product and great support team!",
        "Wir nutzen {f} täglich, sehr hilfreich.", "Excellent outil, l'équipe adore {f}.",
        "Muy buena herramienta, {f} es lo mejor.", "{f}がとても便利です。",
    ),
    "passive": (
        "Good overall, but {f} could be faster.", "Does the job. Pricing is a bit high.",
        "Ganz gut, aber die Berichte sind langsam.", "Correct, mais il manque des intégrations.",
        "It works.\nWould like more export options.",
    ),
    "detractor": (
        "Too many bugs in {f} lately.", "Support took days to answer our ticket.",
        "Zu teuer für das, was wir nutzen.", "Trop compliqué pour notre équipe.",
        "No funciona bien {f}, estamos buscando alternativas.",
        "We are considering switching.\nThe {f} keeps failing and nobody replies.",
    ),
}
CONTACT_LINES = ("Call me at +1 415 555 0{n:03d}.", "Reach me: {email}", "Mail {email} or phone +44 20 7946 0{n:03d}")
