"""What the demo county holds: Vestfold's municipalities and units, networks, change ideas, users.

Only content lives here (frozen dataclasses, Norwegian as the users would write it); how months of
data are drawn from it is in :mod:`learnnet.demo.series`, and how it becomes rows in
:mod:`learnnet.demo`. The calendar below is the reference calendar, written for a "today" between
April 2026 and March 2027; :func:`learnnet.demo.load_demo` moves it by whole years for other dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date

D = dt.date


@dataclass(frozen=True)
class DemoUser:
    """A demo login; ``units`` are the units the user works in (team members and viewers)."""

    role: str
    email: str
    password: str
    name: str
    description: str
    is_lead: bool = False
    units: tuple[str, ...] = ()


# The team member's ward is a team in both active networks (and was in the closed falls network).
TEAM_MEMBER_UNIT = "Borre sykehjem, avdeling 1"

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin",
        "admin@demo.learnnet.no",
        "demo-admin-2026",
        "Ingrid Berg",
        "Administrator: organisation, users and measure templates.",
    ),
    DemoUser(
        "centre",
        "senter@demo.learnnet.no",
        "demo-senter-2026",
        "Kari Holm",
        "Development centre (USHT Vestfold): compares units and municipalities across the county.",
    ),
    DemoUser(
        "facilitator",
        "veileder@demo.learnnet.no",
        "demo-veileder-2026",
        "Lars Nilsen",
        "Facilitator of the two active networks (malnutrition, early detection).",
    ),
    DemoUser(
        "team_member",
        "team@demo.learnnet.no",
        "demo-team-2026",
        "Sofie Hansen",
        "Nurse on Borre sykehjem, avdeling 1 (Horten): enters the ward's monthly numbers.",
        units=(TEAM_MEMBER_UNIT,),
    ),
    DemoUser(
        "team_member",
        "teamleder@demo.learnnet.no",
        "demo-teamleder-2026",
        "Ole Johansen",
        "Team lead on Borre sykehjem, avdeling 1: may also change the team's chart settings.",
        is_lead=True,
        units=(TEAM_MEMBER_UNIT,),
    ),
    DemoUser(
        "viewer",
        "leser@demo.learnnet.no",
        "demo-leser-2026",
        "Per Larsen",
        "Viewer (head of health services in Horten): reads the county overview and Horten's teams.",
        units=(
            "Borre sykehjem, avdeling 1",
            "Indre havn sykehjem, skjermet enhet",
            "Åsgårdstrand sykehjem",
        ),
    ),
)

REGION = "Vestfold"
# Statistics Norway's municipality numbers since 1 January 2024, when Vestfold became a county
# again.
MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("Horten", "3901"),
    ("Holmestrand", "3903"),
    ("Tønsberg", "3905"),
    ("Sandefjord", "3907"),
    ("Larvik", "3909"),
    ("Færder", "3911"),
)


@dataclass(frozen=True)
class UnitPlan:
    municipality: str
    name: str
    kind: str
    size: int

    @property
    def size_kind(self) -> str:
        return "service_users" if self.kind == "home_care_district" else "beds"

    @property
    def is_ward(self) -> bool:
        return self.size_kind == "beds"


WARD, SHORT_TERM, HOME_CARE = "nursing_home_ward", "short_term_ward", "home_care_district"

# Wards of 10–25 beds keep occupied bed-days within 240–750 a month at 90–96.5 % occupancy.
UNITS: tuple[UnitPlan, ...] = (
    UnitPlan("Horten", "Borre sykehjem, avdeling 1", WARD, 16),
    UnitPlan("Horten", "Indre havn sykehjem, skjermet enhet", WARD, 10),
    UnitPlan("Horten", "Åsgårdstrand sykehjem", WARD, 20),
    UnitPlan("Horten", "Hjemmetjenesten Horten sentrum", HOME_CARE, 120),
    UnitPlan("Færder", "Smidsrød helsehus, korttidsavdeling", SHORT_TERM, 18),
    UnitPlan("Færder", "Bjønnesåsen sykehjem, avdeling 2", WARD, 22),
    UnitPlan("Færder", "Tjøme omsorgssenter", WARD, 25),
    UnitPlan("Færder", "Hjemmetjenesten Nøtterøy", HOME_CARE, 140),
    UnitPlan("Holmestrand", "Holmestrand sykehjem, avdeling 1", WARD, 20),
    UnitPlan("Holmestrand", "Sande sykehjem, demensavdeling", WARD, 12),
    UnitPlan("Holmestrand", "Hof sykehjem", WARD, 14),
    UnitPlan("Holmestrand", "Hjemmetjenesten Sande", HOME_CARE, 65),
    UnitPlan("Larvik", "Stavern sykehjem, avdeling 1", WARD, 22),
    UnitPlan("Larvik", "Tjølling sykehjem", WARD, 18),
    UnitPlan("Larvik", "Furuheim sykehjem, avdeling 2", WARD, 24),
    UnitPlan("Larvik", "Hjemmetjenesten Brunlanes", HOME_CARE, 90),
    UnitPlan("Larvik", "Hjemmetjenesten Tanum", HOME_CARE, 60),
    UnitPlan("Larvik", "Hjemmetjenesten Berg", HOME_CARE, 45),
    UnitPlan("Sandefjord", "Nygård bo- og behandlingssenter, avdeling 1", WARD, 24),
    UnitPlan("Sandefjord", "Nygård bo- og behandlingssenter, avdeling 3", WARD, 16),
    UnitPlan("Sandefjord", "Hjemmetjenesten Sandefjord sentrum", HOME_CARE, 150),
    UnitPlan("Tønsberg", "Re helsehus, langtidsavdeling", WARD, 20),
    UnitPlan("Tønsberg", "Hjemmetjenesten Tønsberg sentrum", HOME_CARE, 130),
)


@dataclass(frozen=True)
class SeriesModel:
    """How one measure's monthly values are drawn for a team.

    ``denominator`` names one of the month's counts (see :func:`learnnet.demo.series.month_counts`).
    ``baseline`` and ``improved`` are ranges a team's level is drawn from: a probability for
    proportions, events per ``multiplier`` for rates; with ``relative`` the improved range is a
    factor of the team's baseline. ``improved=None``: the team's change does not move this measure.
    ``lag`` delays the effect (outcomes follow processes). ``record_as`` keeps the numerator as a
    count for later measures; ``thinned_from`` draws the numerator from such a count instead
    (injuries among the month's falls, with the level as the probability).
    """

    denominator: str
    baseline: tuple[float, float]
    improved: tuple[float, float] | None = None
    relative: bool = False
    lag: int = 0
    record_as: str | None = None
    thinned_from: str | None = None


@dataclass(frozen=True)
class MeasurePlan:
    code: str
    model: SeriesModel
    target: float | None = None


@dataclass(frozen=True)
class CyclePlan:
    plan: str
    do: str
    study: str
    act: str


@dataclass(frozen=True)
class ChangeIdea:
    """A change idea with the PDSA cycles of a team that made it work."""

    title: str
    short_label: str
    description: str
    cycles: tuple[CyclePlan, ...]


@dataclass(frozen=True)
class SessionPlan:
    date: dt.date
    title: str


@dataclass(frozen=True)
class NetworkPlan:
    key: str
    name: str
    topic: str
    description: str
    start: dt.date
    end: dt.date
    status: str
    facilitated: bool
    sessions: tuple[SessionPlan, ...]
    measures: tuple[MeasurePlan, ...]
    units: tuple[str, ...]
    # Units whose teams improve; the rest of the teams are drawn at random up to ``improvers``.
    sure_improvers: tuple[str, ...]
    improvers: int
    # The first ``primary_ideas`` ideas move the network's first measure: an improving team starts
    # with one of them, so the phase on its chart carries the label of a change that fits.
    ideas: tuple[ChangeIdea, ...]
    primary_ideas: int
    aim: str


# The last cycle of a change that a team gave up (the first cycles come from the idea itself).
ABANDONED_CYCLE = CyclePlan(
    plan=("Innføre endringen på alle vakter i fire uker. Prediksjon: samme resultat som i den lille testen."),
    do="Gjennomført delvis: mange vikarer og travle vakter gjorde at endringen ofte ble glemt.",
    study="Målingene viste ingen bedring, og personalet opplevde endringen som en ekstra oppgave.",
    act="Vi legger endringen bort og prøver heller en annen idé fra samlingen.",
)
# A third cycle for a change a team has made part of daily work.
SPREAD_CYCLE = CyclePlan(
    plan=("Innføre endringen i hele enheten, på alle vakter, i en måned. Prediksjon: nivået holder seg."),
    do="Gjennomført som planlagt. Endringen ble tatt inn i opplæringen av nye ansatte og vikarer.",
    study="Målingene holdt seg på det nye nivået hele måneden.",
    act="Endringen er nå en fast del av rutinen; teamet følger målingene videre hver måned.",
)

MALNUTRITION_IDEAS = (
    ChangeIdea(
        "Screening i innkomstsamtalen",
        "Screening ved innkomst",
        "MNA-SF fylles ut som en del av innkomstsamtalen, sammen med beboeren og pårørende.",
        (
            CyclePlan(
                plan=(
                    "Legge MNA-SF inn i malen for innkomstsamtalen for de neste tre innkomstene. "
                    "Prediksjon: alle tre screenet innen fristen."
                ),
                do=("To av tre innkomster fikk screening i samtalen; den tredje kom inn en fredag kveld."),
                study="Fungerte godt i samtalen; pårørende kunne svare på spørsmålene om vekttap.",
                act="Tilpasse: innkomster i helgene screenes av ansvarlig sykepleier på mandag.",
            ),
            CyclePlan(
                plan=("Screening i innkomstsamtalen for alle innkomster i fire uker, også i helgene."),
                do="Gjennomført for alle sju innkomster.",
                study="Alle sju ble screenet innen fristen.",
                act="Malen for innkomstsamtalen er endret for godt.",
            ),
        ),
    ),
    ChangeIdea(
        "Ernæringskontakt på hver vakt",
        "Ernæringskontakt",
        "En navngitt ernæringskontakt på hver vakt følger opp screening, veiing og ernæringsplaner.",
        (
            CyclePlan(
                plan=(
                    "Teste ernæringskontakt på dagvakt i én uke. Prediksjon: alle nye beboere den "
                    "uka blir screenet innen fristen."
                ),
                do="Ernæringskontakten sto på vaktlista fem av sju dager. To nye beboere kom inn.",
                study=(
                    "Begge nye beboere ble screenet innen fristen. Dagene uten navngitt kontakt "
                    "var rollen uklar."
                ),
                act="Tilpasse: skrive navnet på vaktlista hver dag og teste på kveldsvakt også.",
            ),
            CyclePlan(
                plan=(
                    "Ernæringskontakt på dag- og kveldsvakt i to uker, med en enkel sjekkliste. "
                    "Prediksjon: minst 80 % screenet innen fristen."
                ),
                do="Gjennomført med sjekkliste på vaktrommet. Én dag falt ut på grunn av sykdom.",
                study=("86 % var screenet innen fristen, og personalet syntes sjekklista var nyttig."),
                act="Ta i bruk på alle vakter og ta rollen inn i opplæringen av nye ansatte.",
            ),
        ),
    ),
    ChangeIdea(
        "Veiing første mandag i måneden",
        "Veiing første mandag",
        "Alle beboere veies første mandag i måneden, og vekten føres i journalen samme dag.",
        (
            CyclePlan(
                plan=("Veie beboerne på én gang første mandag i måneden. Prediksjon: minst 12 av 16 veid."),
                do="Veiet på formiddagen etter frokost; stolvekta måtte lånes fra naboavdelingen.",
                study="13 av 16 ble veid. Tre var på sykehus eller ville ikke.",
                act="Tilpasse: kjøpe egen stolvekt og veie dem som mangler, på tirsdag.",
            ),
            CyclePlan(
                plan=("Fast veiedag med egen vekt og oppfølging dagen etter. Prediksjon: over 90 % veid."),
                do="Gjennomført to måneder på rad. Vekten føres rett i journalen på nettbrettet.",
                study=("94 % og 100 % veid. To beboere med vekttap ble oppdaget og fikk ny screening."),
                act="Veiedagen er fast og står i årshjulet.",
            ),
        ),
    ),
    ChangeIdea(
        "Ernæringsplan i tverrfaglig møte",
        "Plan i tverrfaglig møte",
        "Beboere i ernæringsmessig risiko gjennomgås på det ukentlige tverrfaglige møtet.",
        (
            CyclePlan(
                plan=(
                    "Ta opp beboere i risiko på tverrfaglig møte i to uker. Prediksjon: alle i "
                    "risiko får en plan."
                ),
                do="Fire beboere i risiko ble tatt opp; kjøkkenet deltok på det ene møtet.",
                study="Tre av fire fikk en plan; den siste ventet på legens vurdering.",
                act="Tilpasse: invitere tilsynslegen til møtet første uke i måneden.",
            ),
        ),
    ),
)

EARLY_DETECTION_IDEAS = (
    ChangeIdea(
        "NEWS2 ved innkomst",
        "NEWS2 ved innkomst",
        "Alle nye beboere får målt alle vitale tegn og NEWS2-skår første vakt etter innkomst.",
        (
            CyclePlan(
                plan=(
                    "NEWS2 ved de neste fem innkomstene, med lommekort for skåringen. Prediksjon: "
                    "fire av fem får full NEWS2."
                ),
                do="Fem innkomster; respirasjonsfrekvens ble glemt én gang.",
                study="Fire av fem hadde full NEWS2. Telling av respirasjonsfrekvens var uvant.",
                act="Tilpasse: kort opplæring i å telle respirasjonsfrekvens på personalmøtet.",
            ),
            CyclePlan(
                plan=("NEWS2 ved alle innkomster i en måned, etter opplæringen. Prediksjon: minst 90 %."),
                do=("Gjennomført for alle innkomster; ansvaret ligger hos sykepleieren som tar imot."),
                study="92 % hadde full NEWS2 ved innkomst.",
                act="Tatt inn i prosedyren for innkomst.",
            ),
        ),
    ),
    ChangeIdea(
        "ISBAR-kort i lomma",
        "ISBAR-kort i lomma",
        "Alle på vakt har et ISBAR-kort i lomma og bruker det når de ringer lege om endret tilstand.",
        (
            CyclePlan(
                plan=(
                    "Dele ut ISBAR-kort til sykepleierne på kveldsvakt i to uker. Prediksjon: de "
                    "fleste legesamtaler følger ISBAR."
                ),
                do="Kortene ble delt ut; legevakten fikk seks telefoner i perioden.",
                study=("Fire av seks samtaler fulgte ISBAR. Legevakten sa at samtalene var lettere å følge."),
                act=("Tilpasse: gi kort til helsefagarbeiderne også, og øve på samtalen i rollespill."),
            ),
            CyclePlan(
                plan=("ISBAR-kort til alle, og rollespill på personalmøtet. Prediksjon: minst 80 % ISBAR."),
                do="Rollespill gjennomført; kortene henger også ved telefonen.",
                study="83 % av legekontaktene fulgte ISBAR i måneden etter.",
                act="ISBAR er standard for alle legekontakter om endret tilstand.",
            ),
        ),
    ),
    ChangeIdea(
        "Daglig tavlemøte om endret tilstand",
        "Tavlemøte kl. 13",
        "Et kort tavlemøte hver dag klokka 13 der personalet går gjennom beboere med endret tilstand.",
        (
            CyclePlan(
                plan=(
                    "Tavlemøte på ti minutter hver ukedag i to uker. Prediksjon: flere mistanker "
                    "om endret tilstand blir fulgt opp med NEWS2 samme dag."
                ),
                do="Møtet ble holdt åtte av ti dager.",
                study="Flere beboere ble fulgt opp samme dag, men møtet tok ofte over 15 minutter.",
                act="Tilpasse: fast agenda på tavla og stoppeklokke.",
            ),
        ),
    ),
    ChangeIdea(
        "Ferdighetstrening i vitale tegn",
        "Ferdighetstrening",
        "Helsefagarbeidere og assistenter trener på å måle vitale tegn og skåre NEWS2.",
        (
            CyclePlan(
                plan=(
                    "Ferdighetstrening på 30 minutter for helsefagarbeiderne på dagvakt. "
                    "Prediksjon: flere målinger blir fullstendige."
                ),
                do="Sju ansatte deltok; trening på respirasjonsfrekvens og bevissthetsnivå.",
                study="Deltakerne var tryggere, men målingene endret seg lite den første måneden.",
                act="Tilpasse: gjenta treningen for kvelds- og nattevakter.",
            ),
        ),
    ),
)

FALLS_IDEAS = (
    ChangeIdea(
        "Legemiddelgjennomgang med vekt på fallrisiko",
        "LMG med fallrisiko",
        "Tilsynslegen går gjennom legemidlene til beboere med høy fallrisiko, særlig psykofarmaka.",
        (
            CyclePlan(
                plan=(
                    "Legemiddelgjennomgang for tre beboere med høy fallrisiko. Prediksjon: minst "
                    "ett legemiddel trappes ned."
                ),
                do="Tilsynslegen gikk gjennom tre beboere på visitten.",
                study="Sovemedisin ble trappet ned for to beboere.",
                act="Tilpasse: sette av tid til to beboere på hver ukevisitt.",
            ),
            CyclePlan(
                plan=(
                    "To beboere på hver ukevisitt i seks uker. Prediksjon: alle med høy risiko gjennomgått."
                ),
                do="Gjennomført; farmasøyt fra kommunen deltok to ganger.",
                study="Alle med høy fallrisiko fikk legemiddelgjennomgang; fallene gikk ned.",
                act="Fast punkt på visitten.",
            ),
        ),
    ),
    ChangeIdea(
        "Tilsynsrunde hver time på kveld og natt",
        "Tilsyn hver time",
        "Faste tilsynsrunder hver time på kveld og natt, med spørsmål om toalettbesøk og smerter.",
        (
            CyclePlan(
                plan=("Tilsynsrunde hver time på kveldsvakt i én uke. Prediksjon: færre fall på kvelden."),
                do="Rundene ble gått som planlagt sju av sju kvelder.",
                study="Ingen fall på kvelden den uka (mot to i snitt), men rundene tok mye tid.",
                act="Tilpasse: runder hver time bare for beboere med høy fallrisiko.",
            ),
        ),
    ),
    ChangeIdea(
        "Fallrisikovurdering ved innkomst",
        "Fallrisiko ved innkomst",
        "Alle nye beboere får en fallrisikovurdering første uke, med tiltak for dem med høy risiko.",
        (
            CyclePlan(
                plan=(
                    "Fallrisikovurdering for de neste fire innkomstene. Prediksjon: alle vurdert første uke."
                ),
                do="Fire innkomster, alle vurdert; fysioterapeuten deltok på to.",
                study="Vurderingen tok 15 minutter og ga konkrete tiltak for tre av fire.",
                act="Tilpasse: vurdere beboerne som allerede bor i avdelingen også.",
            ),
            CyclePlan(
                plan=(
                    "Vurdere alle beboere i avdelingen i løpet av fire uker. Prediksjon: over 90 % vurdert."
                ),
                do="Gjennomført på dagvakt; to beboere på sykehus ble vurdert da de kom tilbake.",
                study="95 % av beboerne hadde en dokumentert vurdering.",
                act="Vurderingen oppdateres ved endret tilstand og hver tredje måned.",
            ),
        ),
    ),
    ChangeIdea(
        "Sklisikre sokker og nattlys",
        "Sokker og nattlys",
        "Beboere med fallrisiko får sklisikre sokker, og det står nattlys mellom seng og toalett.",
        (
            CyclePlan(
                plan=(
                    "Sklisikre sokker og nattlys på fem rom i to uker. Prediksjon: ingen fall på de rommene."
                ),
                do="Sokker og nattlys kom på plass; én beboer ville ikke bruke sokkene.",
                study="Ett fall på de fem rommene, hos beboeren uten sokker.",
                act="Tilpasse: spørre beboer og pårørende om sokker ved innkomst.",
            ),
        ),
    ),
)


def month_name_nb(day: dt.date) -> str:
    return format_date(day, "LLLL y", locale="nb")


NETWORKS: tuple[NetworkPlan, ...] = (
    NetworkPlan(
        key="malnutrition",
        name="Underernæring",
        topic="malnutrition",
        description=(
            "Læringsnettverk om forebygging og behandling av underernæring i sykehjem og "
            "hjemmetjenester: screening innen fristen, veiing hver måned og ernæringsplan for alle "
            "i "
            "risiko."
        ),
        start=D(2025, 9, 1),
        end=D(2027, 2, 28),
        status="active",
        facilitated=True,
        sessions=(
            SessionPlan(D(2025, 10, 8), "Samling 1: Oppstart – forbedringsmodellen, mål og målinger"),
            SessionPlan(D(2026, 3, 11), "Samling 2: Hva forteller diagrammene? PDSA og variasjon"),
            SessionPlan(D(2027, 2, 10), "Samling 3: Resultater, spredning og videre drift"),
        ),
        measures=(
            MeasurePlan(
                "malnutrition.screened",
                SeriesModel("residents", (0.38, 0.52), (0.82, 0.92), record_as="screened"),
                target=90.0,
            ),
            MeasurePlan("malnutrition.plan", SeriesModel("at_risk", (0.55, 0.72), (0.85, 0.95)), 90.0),
            MeasurePlan("malnutrition.weighed", SeriesModel("residents", (0.50, 0.68), (0.85, 0.95)), 90.0),
            MeasurePlan("malnutrition.at_risk", SeriesModel("screened", (0.30, 0.40))),
        ),
        units=(
            "Borre sykehjem, avdeling 1",
            "Åsgårdstrand sykehjem",
            "Smidsrød helsehus, korttidsavdeling",
            "Tjøme omsorgssenter",
            "Sande sykehjem, demensavdeling",
            "Stavern sykehjem, avdeling 1",
            "Hjemmetjenesten Brunlanes",
            "Hjemmetjenesten Nøtterøy",
        ),
        sure_improvers=("Borre sykehjem, avdeling 1", "Hjemmetjenesten Nøtterøy"),
        improvers=4,
        ideas=MALNUTRITION_IDEAS,
        primary_ideas=2,
        aim=(
            "Innen {end} skal minst 90 % av beboerne være screenet for ernæringsmessig risiko "
            "innen "
            "fristen, og minst 90 % av dem i risiko skal ha en ernæringsplan."
        ),
    ),
    NetworkPlan(
        key="early_detection",
        name="Tidlig oppdagelse av forverret tilstand",
        topic="early_detection",
        description=(
            "Læringsnettverk om å oppdage forverret tilstand tidlig og handle riktig: NEWS2 ved "
            "innkomst og ved mistanke om endret tilstand, og ISBAR når personalet ringer lege."
        ),
        start=D(2026, 1, 1),
        end=D(2027, 6, 30),
        status="active",
        facilitated=True,
        sessions=(
            SessionPlan(D(2026, 1, 28), "Samling 1: Oppstart – NEWS2, ISBAR og forbedringsmodellen"),
            SessionPlan(D(2026, 9, 16), "Samling 2: Målinger og erfaringer fra PDSA-syklusene"),
            SessionPlan(D(2027, 6, 9), "Samling 3: Resultater og spredning"),
        ),
        measures=(
            MeasurePlan(
                "early_detection.news2_admission",
                SeriesModel("admissions", (0.25, 0.45), (0.82, 0.92)),
                target=90.0,
            ),
            MeasurePlan(
                "early_detection.news2_change",
                SeriesModel("situations", (0.20, 0.40), (0.70, 0.85)),
                target=80.0,
            ),
            MeasurePlan(
                "early_detection.isbar",
                SeriesModel("calls", (0.15, 0.35), (0.65, 0.85), lag=1),
                80.0,
            ),
            MeasurePlan(
                "early_detection.admissions",
                SeriesModel("bed_days", (2.0, 3.5), (0.65, 0.75), relative=True, lag=2),
            ),
        ),
        units=(
            "Borre sykehjem, avdeling 1",
            "Indre havn sykehjem, skjermet enhet",
            "Smidsrød helsehus, korttidsavdeling",
            "Bjønnesåsen sykehjem, avdeling 2",
            "Hof sykehjem",
            "Tjølling sykehjem",
            "Re helsehus, langtidsavdeling",
        ),
        sure_improvers=("Borre sykehjem, avdeling 1",),
        improvers=3,
        ideas=EARLY_DETECTION_IDEAS,
        primary_ideas=1,
        aim=(
            "Innen {end} skal minst 90 % av innkomstene ha fullstendig NEWS2, og minst 80 % av "
            "legekontaktene ved endret tilstand skal følge ISBAR."
        ),
    ),
    NetworkPlan(
        key="falls",
        name="Fallforebygging",
        topic="falls",
        description=(
            "Læringsnettverk om forebygging av fall i sykehjem: fallrisikovurdering, "
            "legemiddelgjennomgang og tiltak på kveld og natt. Avsluttet; teamene viste "
            "resultatene "
            "sine på den siste samlingen."
        ),
        start=D(2024, 9, 1),
        end=D(2025, 5, 31),
        status="closed",
        facilitated=False,
        sessions=(
            SessionPlan(D(2024, 9, 25), "Samling 1: Oppstart – fallrisiko og forbedringsmodellen"),
            SessionPlan(D(2025, 1, 22), "Samling 2: Målinger, tiltak og PDSA"),
            SessionPlan(D(2025, 5, 21), "Samling 3: Resultater og veien videre"),
        ),
        measures=(
            MeasurePlan(
                "falls.rate",
                SeriesModel("bed_days", (6.0, 10.0), (0.62, 0.70), relative=True, lag=1, record_as="falls"),
                target=5.0,
            ),
            MeasurePlan("falls.injuries", SeriesModel("bed_days", (0.25, 0.35), thinned_from="falls")),
            MeasurePlan("falls.risk_assessed", SeriesModel("residents", (0.40, 0.60), (0.85, 0.95)), 90.0),
            MeasurePlan(
                "medication_review.annual",
                SeriesModel("long_term_67", (0.50, 0.66), (0.80, 0.92), lag=1),
                target=90.0,
            ),
        ),
        units=(
            "Borre sykehjem, avdeling 1",
            "Åsgårdstrand sykehjem",
            "Bjønnesåsen sykehjem, avdeling 2",
            "Holmestrand sykehjem, avdeling 1",
            "Stavern sykehjem, avdeling 1",
            "Furuheim sykehjem, avdeling 2",
            "Nygård bo- og behandlingssenter, avdeling 1",
        ),
        sure_improvers=(),
        improvers=3,
        ideas=FALLS_IDEAS,
        primary_ideas=2,
        aim="Innen {end} skal antall fall per 1 000 liggedøgn være redusert med en tredjedel.",
    ),
)

# Comments teams write beside a month's numbers, by month of the year.
SEASON_COMMENTS = {
    7: "Ferieavvikling med mange vikarer.",
    12: "Julebord og mange sykemeldte i desember.",
    1: "Influensautbrudd i avdelingen.",
}
CORRECTION_COMMENT = "Rettet etter gjennomgang av journalene."
EXCLUSION_REASON = "Vannskade: halve avdelingen var flyttet til et annet bygg denne måneden."
