"""Deterministic generation of a realistic collège (pupils, guardians, teachers, services, PP).

``generer("mini")`` is the small school of the scenario tests (divisions 4A, 4B, 3B, a group spanning 4A and
4B); "petit" and "grand" are the benchmark collèges; an int is a number of pupils. The same seed always gives
the same school: only ``random.Random(graine)`` is used, never the global generator.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lsun_events.generateur import nomenclatures as nom
from lsun_events.generateur.modele import (
    INACTIFS,
    Adresse,
    Division,
    Ecole,
    Eleve,
    Enseignant,
    Etablissement,
    Groupe,
    OptionEleve,
    ProfPrincipal,
    RefEnseignant,
    Responsable,
    ScolariteAnDernier,
    Service,
)
from lsun_events.generateur.noms import (
    COMMUNES,
    COMPLEMENTS,
    NAISSANCES_ETRANGER,
    NAISSANCES_FRANCE,
    NOMS,
    PRENOMS_FEMMES,
    PRENOMS_FILLES,
    PRENOMS_GARCONS,
    PRENOMS_HOMMES,
    PROFESSIONS,
    RUES,
    majuscules,
    mel,
    sexe_du_prenom,
)

TAILLES = ("mini", "petit", "grand")
COLLEGES = ("JEAN MOULIN", "LUCIE AUBRAC", "ALIÉNOR D'AQUITAINE", "SIMONE VEIL", "LES CHÊNES")
LETTRES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Plan:
    """What a size means: pupils, divisions (code, niveau) and ENS teachers."""

    eleves: int
    divisions: tuple[tuple[str, str], ...]
    enseignants: int
    mini: bool = False


def plan(taille: str | int) -> Plan:
    if taille == "mini":
        return Plan(20, (("4A", "4"), ("4B", "4"), ("3B", "3")), 8, mini=True)
    if taille == "petit":
        return Plan(200, _divisions((2, 2, 2, 2)), 20)
    if taille == "grand":
        return Plan(1000, _divisions((9, 9, 9, 9)), 80)
    if isinstance(taille, int) and not isinstance(taille, bool) and taille > 0:
        total = max(1, math.ceil(taille / 27))
        par_niveau = tuple(total // 4 + (1 if i < total % 4 else 0) for i in range(4))
        return Plan(taille, _divisions(par_niveau), max(8, round(taille * 0.08)))
    raise ValueError(f"taille inconnue : {taille!r} (attendu {', '.join(TAILLES)} ou un nombre d'élèves)")


def _divisions(par_niveau: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    avec_espace = sum(par_niveau) >= 20  # one code with a space ("4 F"), as some schools name them
    codes = []
    for niveau, nombre in zip(nom.NIVEAUX, par_niveau, strict=True):
        for i in range(nombre):
            if nombre <= len(LETTRES):
                code = f"{niveau}{LETTRES[i]}"
                if avec_espace and niveau == "4" and i == 5:
                    code = f"{niveau} {LETTRES[i]}"
            else:
                code = f"{niveau}E{i + 1}"
            codes.append((code, niveau))
    return tuple(codes)


def generer(taille: str | int, *, uai: str = "0999001X", annee: int = 2025, graine: int = 0,
            date_export: datetime | None = None) -> Ecole:
    """A whole school for one size; byte-identical exports for the same arguments."""
    return _Generateur(plan(taille), uai, annee, graine, date_export).ecole()


def libelle_division(code: str, niveau: str) -> str:
    suffixe = code[len(niveau):].strip()
    if suffixe.startswith("E") and suffixe[1:].isdigit():
        suffixe = suffixe[1:]
    return f"{niveau}EME {suffixe}"


class _Generateur:
    def __init__(self, plan_: Plan, uai: str, annee: int, graine: int, date_export: datetime | None) -> None:
        self.plan = plan_
        self.rng = random.Random(graine)
        self.annee = annee
        self.uai = uai
        self.rentree = date(annee, 9, 1)
        self.export = date_export or datetime(annee, 11, 14, 7, 42, 10)
        self.personne_id = 4_100_000
        self.adresse_id = 8_200_000
        self.ids_sts: set[int] = set()
        self.ines: set[str] = set()
        self.noms_adultes: set[tuple[str, str]] = set()

    # --- the school -------------------------------------------------------------------------------------

    def ecole(self) -> Ecole:
        ecole = Ecole(
            etablissement=self._etablissement(),
            annee=self.annee,
            date_export=self.export,
            date_debut=self.rentree,
            date_fin=date(self.annee + 1, 8, 31),
            date_fin_cours=date(self.annee + 1, 7, 4),
            matieres=nom.matieres(),
            mefs=nom.mefs(),
            divisions=[Division(code, libelle_division(code, niveau), [nom.mef(niveau)])
                       for code, niveau in self.plan.divisions],
        )
        self.niveaux = dict(self.plan.divisions)
        ecole.eleves = self._eleves(ecole)
        ecole.groupes = self._groupes(ecole)
        self._services(ecole)
        self._profs_principaux(ecole)
        ecole.enseignants += self._personnels(ecole)
        return ecole

    def _etablissement(self) -> Etablissement:
        code_postal, commune, insee, _ = self.rng.choice(COMMUNES)
        return Etablissement(
            uai=self.uai,
            denom_compl=self.rng.choice(COLLEGES),
            code_categorie="11",
            adresse_lignes=[f"{self.rng.randint(1, 120)} {self.rng.choice(RUES)}"],
            code_postal=code_postal,
            commune=commune,
            code_commune_insee=insee,
            telephone=self._telephone("05"),
            telecopie=self._telephone("05"),
            mel=f"ce.{self.uai.lower()}@ac-exemple.fr",
            academie_code="04",
            academie_libelle="BORDEAUX",
        )

    # --- pupils -------------------------------------------------------------------------------------------

    def _eleves(self, ecole: Ecole) -> list[Eleve]:
        n = self.plan.eleves
        nb_inactifs = max(1, n // 100)
        en_division = n - nb_inactifs
        codes = [ecole.divisions[k % len(ecole.divisions)].code for k in range(en_division)]
        self.rng.shuffle(codes)
        codes += [INACTIFS] * nb_inactifs
        ordre = list(range(n))
        self.rng.shuffle(ordre)  # inactive pupils are spread among the ids
        affectations = [codes[i] for i in ordre]

        eleves: list[Eleve] = []
        eleve_id = 2_400_000 + self.rng.randrange(1000)
        for i, code in enumerate(affectations):
            eleve_id += self.rng.randint(1, 9)
            eleves.append(self._eleve(str(eleve_id), str(3100 + i), code, eleves))

        premiere = ecole.divisions[0].code  # 4A in "mini": kept free of leavers for the scenarios
        candidats = [e for e in eleves if e.division not in (premiere, INACTIFS)] or eleves
        for eleve in self.rng.sample(candidats, min(len(candidats), max(1, round(n * 0.015)))):
            jours = max(1, (self.export.date() - timedelta(days=3) - date(self.annee, 9, 20)).days)
            eleve.date_sortie = date(self.annee, 9, 20) + timedelta(days=self.rng.randrange(jours))
            eleve.code_motif_sortie = "99"
        if not self.plan.mini:
            sans_ine = self.rng.choice([e for e in eleves if e.date_sortie is None and e.division != INACTIFS])
            sans_ine.ine = ""
            arrivee = self.export.date() - timedelta(days=10)
            sans_ine.date_entree = arrivee
            sans_ine.scolarite_an_dernier = None
        else:
            with_usage = next(e for e in eleves if e.division == "4B")
            with_usage.nom_usage = f"{with_usage.nom_de_famille}-{self.rng.choice(NOMS)}"
        return eleves

    def _eleve(self, eleve_id: str, elenoet: str, division: str, precedents: list[Eleve]) -> Eleve:
        rng = self.rng
        niveau = self.niveaux.get(division) or rng.choice(nom.NIVEAUX)
        rang = nom.NIVEAUX.index(niveau)
        sexe = rng.choice("MF")
        prenoms_possibles = PRENOMS_GARCONS if sexe == "M" else PRENOMS_FILLES
        nombre = rng.choices((1, 2, 3), (50, 35, 15))[0]
        prenoms = rng.sample(prenoms_possibles, nombre)
        if precedents and rng.random() < 0.06:  # a sibling: same family name and guardians
            aine = rng.choice(precedents)
            nom_de_famille, responsables = aine.nom_de_famille, aine.responsables
        else:
            nom_de_famille = rng.choice(NOMS)
            responsables = self._responsables(nom_de_famille)
        doublement = rng.random() < 0.03
        naissance = date(self.annee - 11 - rang - (1 if doublement else 0), 1, 1) + timedelta(
            days=rng.randrange(365))
        eleve = Eleve(
            eleve_id=eleve_id,
            elenoet=elenoet,
            ine=self._ine(),
            nom_de_famille=nom_de_famille,
            prenoms=prenoms,
            sexe=sexe,
            date_naissance=naissance,
            division=division,
            code_mef=nom.mef(niveau),
            code_regime=rng.choices(("2", "0", "3"), (80, 15, 5))[0],
            doublement=doublement,
            responsables=responsables,
            tel_portable=self._telephone(rng.choice(("06", "07"))) if rng.random() < 0.4 else "",
        )
        if rng.random() < 0.9:
            eleve.commune_naiss_insee, eleve.code_departement_naiss = rng.choice(NAISSANCES_FRANCE)
        else:
            eleve.code_pays, eleve.ville_naiss = rng.choice(NAISSANCES_ETRANGER)
        if rng.random() < 0.03:
            eleve.nom_usage = rng.choice(NOMS)

        # Scolarité: entry date, last year, options; groups are derived from the options later.
        annee_entree = self.annee - (0 if doublement else rang)
        if rang > 0 and rng.random() < 0.1:
            annee_entree = self.annee  # arrived from another collège this year
        eleve.date_entree = self.rentree if annee_entree == self.annee else date(max(annee_entree, 2000), 9, 1)
        if rng.random() < 0.02 and not self.plan.mini:
            eleve.date_entree = self.rentree + timedelta(days=rng.randrange(14, 60))
        precedent = nom.NIVEAUX[rang - 1] if rang > 0 and not doublement else niveau
        if rang == 0 and not doublement:
            eleve.scolarite_an_dernier = ScolariteAnDernier(
                f"0999{rng.randrange(100, 200)}{rng.choice('ABCDEFGH')}", "ECOLE ELEMENTAIRE PUBLIQUE",
                code_mef="", code_structure="CM2")
        elif annee_entree == self.annee:
            eleve.scolarite_an_dernier = ScolariteAnDernier(
                f"0999{rng.randrange(200, 300)}{rng.choice('JKLMNPRS')}", "COLLEGE",
                code_mef=nom.mef(precedent), code_structure=f"{precedent}{rng.choice('ABC')}")
        else:
            eleve.scolarite_an_dernier = ScolariteAnDernier(
                self.uai, "COLLEGE", code_mef=nom.mef(precedent),
                code_structure=f"{precedent}{rng.choice(LETTRES[:max(1, len(self.plan.divisions) // 4)])}")

        eleve.options = [OptionEleve(1, nom.ANGLAIS_LV1, "O")]
        if niveau != "6" and division != INACTIFS:
            lv2 = nom.ESPAGNOL_LV2 if self.plan.mini or rng.random() < 0.7 else nom.ALLEMAND_LV2
            eleve.options.append(OptionEleve(2, lv2, "O"))
            if rng.random() < 0.2:
                eleve.options.append(OptionEleve(3, nom.LATIN, "F"))
        return eleve

    def _responsables(self, nom_eleve: str) -> list[Responsable]:
        rng = self.rng
        tirage = rng.random()
        adresse = self._adresse()
        mere_mariee = rng.random() < 0.5
        mere = self._personne("MME", nom_eleve if mere_mariee and rng.random() < 0.5 else rng.choice(NOMS),
                              "10", adresse, paie=True)
        if mere_mariee and mere.nom_de_famille != nom_eleve:
            mere.nom_usage = nom_eleve
        pere = self._personne("M.", nom_eleve, "20", adresse if rng.random() < 0.7 else self._adresse())
        if tirage < 0.80:
            return [mere, pere]
        if tirage < 0.93:
            mere.nom_de_famille, mere.nom_usage = nom_eleve, ""
            return [mere]
        if tirage < 0.98:
            pere.paie_frais = True
            return [pere]
        tuteur = self._personne(rng.choice(("M.", "MME")), rng.choice(NOMS), "50", adresse, paie=True)
        return [tuteur]

    def _personne(self, civilite: str, nom_de_famille: str, parente: str, adresse: Adresse, *,
                  paie: bool = False) -> Responsable:
        rng = self.rng
        self.personne_id += rng.randint(1, 5)
        prenom = rng.choice(PRENOMS_FEMMES if civilite == "MME" else PRENOMS_HOMMES)
        personne = Responsable(
            personne_id=str(self.personne_id),
            civilite=civilite,
            nom_de_famille=nom_de_famille,
            prenom=prenom,
            code_parente=parente,
            paie_frais=paie,
            adresse=adresse,
            tel_portable=self._telephone(rng.choice(("06", "07"))),
            code_profession=rng.choice(PROFESSIONS)[0],
        )
        if rng.random() < 0.4:
            personne.tel_personnel = self._telephone("05")
        if rng.random() < 0.2:
            personne.tel_professionnel = self._telephone("05")
        if rng.random() < 0.75:
            personne.mel = mel(prenom, nom_de_famille, rng.choice(("courriel.fr", "exemple.fr", "messagerie.fr")))
        return personne

    def _adresse(self) -> Adresse:
        rng = self.rng
        self.adresse_id += rng.randint(1, 7)
        code_postal, commune, _, departement = COMMUNES[0] if rng.random() < 0.6 else rng.choice(COMMUNES)
        lignes = [f"{rng.randint(1, 180)} {rng.choice(RUES)}"]
        if rng.random() < 0.2:
            lignes.insert(0, rng.choice(COMPLEMENTS))
        return Adresse(str(self.adresse_id), lignes, code_postal, commune, departement[1:], "FRANCE")

    def _ine(self) -> str:
        while True:
            ine = f"{self.rng.randrange(10**9):09d}{self.rng.choice(LETTRES)}{self.rng.choice(LETTRES)}"
            if ine not in self.ines:
                self.ines.add(ine)
                return ine

    def _telephone(self, prefixe: str) -> str:
        return f"{prefixe}{self.rng.randrange(10**8):08d}"

    # --- groups -------------------------------------------------------------------------------------------

    def _groupes(self, ecole: Ecole) -> list[Groupe]:
        """LV2 groups over pairs of divisions, one Latin group per niveau, from the pupils' options."""
        groupes: list[Groupe] = []
        par_division: dict[str, list[Eleve]] = {}
        for eleve in ecole.eleves:
            par_division.setdefault(eleve.division, []).append(eleve)
        for niveau in nom.NIVEAUX[1:]:
            divisions = [d.code for d in ecole.divisions if self.niveaux[d.code] == niveau]
            if not divisions:
                continue
            paires = [divisions[i:i + 2] for i in range(0, len(divisions), 2)]
            for matiere, sigle, langue in ((nom.ESPAGNOL_LV2, "ESP", "ESPAGNOL LV2"),
                                           (nom.ALLEMAND_LV2, "ALL", "ALLEMAND LV2")):
                for j, paire in enumerate(paires, start=1):
                    suffixe = str(j) if len(paires) > 1 else ""
                    groupe = Groupe(f"{niveau}{sigle}{suffixe}", f"{langue} {niveau}EME {suffixe}".strip(),
                                    list(paire), [Service(matiere, heures=f"{nom.heures(matiere, niveau):.2f}")])
                    if self._inscrire(par_division, groupe, matiere):
                        groupes.append(groupe)
            latin = Groupe(f"{niveau}LAT", f"LATIN {niveau}EME", divisions,
                           [Service(nom.LATIN, heures=f"{nom.heures(nom.LATIN, niveau):.2f}")])
            if self._inscrire(par_division, latin, nom.LATIN):
                groupes.append(latin)
        if not self.plan.mini:
            sans_libelle = next((g for g in groupes if "ALL" in g.code), groupes[-1] if groupes else None)
            if sans_libelle:
                sans_libelle.libelle = ""  # STS <LIBELLE_LONG/>, seen in real exports
        return groupes

    def _inscrire(self, par_division: dict[str, list[Eleve]], groupe: Groupe, matiere: str) -> bool:
        membres = [e for d in groupe.divisions for e in par_division.get(d, ())
                   if any(o.matiere_code == matiere for o in e.options)]
        for eleve in membres:
            eleve.groupes.append(groupe.code)
        return bool(membres)

    # --- teachers and services ----------------------------------------------------------------------------

    def _services(self, ecole: Ecole) -> None:
        for division in ecole.divisions:
            niveau = self.niveaux[division.code]
            division.services = [Service(m, heures=f"{nom.heures(m, niveau):.2f}") for m in nom.TRONC_COMMUN]
        vacants: list[Service] = []
        if not self.plan.mini:
            ecole.divisions[-1].services = []  # early-year export: the timetable was not uploaded yet
            cinquieme = next((d for d in ecole.divisions if self.niveaux[d.code] == "5"), ecole.divisions[0])
            vacant = cinquieme.service(nom.ARTS_PLASTIQUES)
            if vacant is not None:
                vacants.append(vacant)  # a service whose teacher is not appointed yet: empty ENSEIGNANTS

        a_pourvoir: list[tuple[str, float, Service]] = []  # (sort key, hours, service)
        for division in ecole.divisions:
            cle = f"{nom.NIVEAUX.index(self.niveaux[division.code])}{division.code}"
            a_pourvoir += [(cle, float(s.heures), s) for s in division.services
                           if all(s is not v for v in vacants)]
        for groupe in ecole.groupes:
            cle = f"{nom.NIVEAUX.index(self.niveaux[groupe.divisions[0]])}{groupe.code}"
            a_pourvoir += [(cle, float(s.heures), s) for s in groupe.services]

        enseignants, par_pole, services_par_pole = self._equipes(ecole, a_pourvoir)
        for equipe, services in zip(par_pole, services_par_pole, strict=True):
            charge = sum(h for _, h, _ in services) or 1.0
            cumul = 0.0
            for _, heures, service in services:
                enseignant = equipe[min(len(equipe) - 1, int(cumul / charge * len(equipe)))]
                service.enseignants.append(enseignant.ref)
                cumul += heures
        # Co-teaching: the technology service of every tenth division (from the second) has two teachers.
        for i, division in enumerate(ecole.divisions):
            service = division.service(nom.TECHNOLOGIE)
            if i % 10 == 1 and service is not None and service.enseignants:
                collegues = [e.ref for e in enseignants if e.ref not in service.enseignants
                             and e.disciplines[0][0] in ("L1400", "L1300")]
                if collegues:
                    service.enseignants.append(collegues[0])
        charges: dict[RefEnseignant, float] = {}
        for _, heures, service in a_pourvoir:
            for ref in service.enseignants:
                charges[ref] = charges.get(ref, 0.0) + heures
        for enseignant in enseignants:
            heures = charges.get(enseignant.ref, 0.0)
            code, libelle, _ = enseignant.disciplines[0]
            enseignant.disciplines = [(code, libelle, f"{heures:g}")]
        ecole.enseignants = enseignants

    def _equipes(self, ecole: Ecole, a_pourvoir: list[tuple[str, float, Service]]
                 ) -> tuple[list[Enseignant], list[list[Enseignant]], list[list[tuple[str, float, Service]]]]:
        """The ENS teachers, the team of each pole and the services of each pole (sorted by niveau)."""
        total = self.plan.enseignants
        poles = nom.POLES_FINS if total >= len(nom.POLES_FINS) else nom.POLES_GROUPES
        services_par_pole = [sorted((x for x in a_pourvoir if x[2].matiere_code in pole), key=lambda x: x[0])
                             for pole in poles]
        poids = [sum(h for _, h, _ in services) for services in services_par_pole]
        if total >= sum(1 for p in poids if p):
            par_pole = [[self._enseignant(ecole, pole[0]) for _ in range(nombre)]
                        for pole, nombre in zip(poles, _repartir(total, poids), strict=True)]
            enseignants = [e for equipe in par_pole for e in equipe]
        else:  # fewer teachers than poles: they share them
            enseignants = [self._enseignant(ecole, poles[i][0]) for i in range(total)]
            par_pole = [[enseignants[i % total]] for i in range(len(poles))]
        # The last one (LV2/Latin) was created in STS by the school: TYPE local, no sex, birth date nor grade.
        locale = enseignants[-1]
        locale.type, locale.id = "local", str(900 + self.rng.randrange(10, 99))
        locale.sexe, locale.nom_patronymique, locale.date_naissance, locale.grade = "", "", None, ""
        return enseignants, par_pole, services_par_pole

    def _enseignant(self, ecole: Ecole, matiere: str) -> Enseignant:
        rng = self.rng
        sexe = rng.choices("FM", (65, 35))[0]
        while True:
            prenom = majuscules(rng.choice(PRENOMS_FEMMES if sexe == "F" else PRENOMS_HOMMES))
            nom_usage = rng.choice(NOMS)
            if (nom_usage, prenom) not in self.noms_adultes:
                self.noms_adultes.add((nom_usage, prenom))
                break
        patronyme = rng.choice(NOMS) if sexe == "F" and rng.random() < 0.4 else nom_usage
        m = ecole.matiere(matiere)
        if matiere == nom.EPS:
            grade = "P.EPS CL N"
        else:
            grade = rng.choices(("CERT. CL N", "AGREGE CLN", "CERT. HCL"), (70, 15, 15))[0]
        return Enseignant(
            id=str(self._id_sts()),
            type="epp",
            nom_usage=nom_usage,
            prenom=prenom,
            sexe=sexe,
            civilite="2" if sexe == "F" else "1",
            nom_patronymique=patronyme,
            date_naissance=date(rng.randint(1962, 1998), 1, 1) + timedelta(days=rng.randrange(365)),
            grade=grade,
            fonction="ENS",
            disciplines=[(m.discipline, m.discipline_libelle, "")],
        )

    def _id_sts(self) -> int:
        while True:
            ident = self.rng.randrange(1000, 99999)
            if ident not in self.ids_sts:
                self.ids_sts.add(ident)
                return ident

    def _profs_principaux(self, ecole: Ecole) -> None:
        deux = ecole.divisions[1] if self.plan.mini and len(ecole.divisions) > 1 else next(
            (d for d in ecole.divisions if self.niveaux[d.code] == "3"), ecole.divisions[0])
        nombre_pp: dict[str, int] = {e.id: 0 for e in ecole.enseignants}
        for division in ecole.divisions:
            equipe = {r for s in division.services for r in s.enseignants}
            candidats = [e for e in ecole.enseignants if e.ref in equipe] or ecole.enseignants
            for _ in range(2 if division is deux else 1):
                moins = min(nombre_pp[e.id] for e in candidats)
                choix = self.rng.choice([e for e in candidats if nombre_pp[e.id] == moins])
                choix.profs_princ.append(ProfPrincipal(division.code, ecole.date_debut, ecole.date_fin))
                nombre_pp[choix.id] += 1
                candidats = [e for e in candidats if e is not choix] or candidats

    def _personnels(self, ecole: Ecole) -> list[Enseignant]:
        """The principal (DIR, named in Communs too) and a CPE (EDU): no services."""
        personnels = []
        for fonction, grade in (("DIR", "PERDIR HCL"), ("EDU", "CPE CL N")):
            personne = self._enseignant(ecole, nom.FRANCAIS)
            personne.fonction, personne.grade, personne.disciplines = fonction, grade, []
            personnels.append(personne)
        chef = personnels[0]
        ecole.etablissement.chef_nom = f"{chef.prenom.title()} {chef.nom_usage}"
        ecole.etablissement.chef_qualite = "PRINCIPALE" if chef.sexe == "F" else "PRINCIPAL"
        return personnels


def _repartir(total: int, poids: list[float]) -> list[int]:
    """Split ``total`` teachers over poles by weight (largest remainder), at least one per worked pole."""
    somme = sum(poids) or 1.0
    exacts = [total * p / somme for p in poids]
    nombres = [max(1 if p else 0, math.floor(x)) for p, x in zip(poids, exacts, strict=True)]
    restes = sorted(range(len(poids)), key=lambda i: (nombres[i] - exacts[i], i))
    i = 0
    while sum(nombres) < total and restes:
        nombres[restes[i % len(restes)]] += 1
        i += 1
    while sum(nombres) > total and max(nombres) > 1:
        nombres[nombres.index(max(nombres))] -= 1
    return nombres


# --- new people for the variantes ------------------------------------------------------------------------

def nouvel_enseignant(ecole: Ecole, matiere: str, *, graine: int = 0, type: str = "epp",
                      nom_usage: str | None = None, prenom: str | None = None, sexe: str | None = None
                      ) -> Enseignant:
    """A teacher not yet in ``ecole`` (new STS ID, unused name unless given), not added to it."""
    generateur = _Generateur(plan("mini"), ecole.uai, ecole.annee, graine, ecole.date_export)
    generateur.ids_sts = {int(e.id) for e in ecole.enseignants if e.id.isdigit()}
    generateur.noms_adultes = {(e.nom_usage, e.prenom) for e in ecole.enseignants}
    enseignant = generateur._enseignant(ecole, matiere)
    if sexe is None and prenom is not None:
        sexe = sexe_du_prenom(prenom)
    if sexe is not None:
        enseignant.sexe, enseignant.civilite = sexe, "2" if sexe == "F" else "1"
    if nom_usage is not None:
        enseignant.nom_usage = enseignant.nom_patronymique = nom_usage
    if prenom is not None:
        enseignant.prenom = prenom
    if type != "epp":
        locaux = [int(e.id) for e in ecole.enseignants if e.type == type and e.id.isdigit()]
        enseignant.type, enseignant.id = type, str(max(locaux, default=900) + 1)
        enseignant.date_naissance, enseignant.grade = None, ""
    return enseignant


def nouvel_eleve(ecole: Ecole, division: str, *, graine: int = 0) -> Eleve:
    """A pupil who arrived after the export date's school (new ELEVE_ID, guardians), not added to it."""
    niveau = next((n for n in nom.NIVEAUX if division.startswith(n)), "4")
    generateur = _Generateur(Plan(1, ((division, niveau),), 0), ecole.uai, ecole.annee, graine,
                             ecole.date_export)
    generateur.niveaux = {division: niveau}
    generateur.ines = {e.ine for e in ecole.eleves}
    personnes = [int(r.personne_id) for e in ecole.eleves for r in e.responsables if r.personne_id.isdigit()]
    adresses = [int(r.adresse.adresse_id) for e in ecole.eleves for r in e.responsables
                if r.adresse and r.adresse.adresse_id.isdigit()]
    generateur.personne_id = max(personnes, default=generateur.personne_id)
    generateur.adresse_id = max(adresses, default=generateur.adresse_id)
    eleve_id = max((int(e.eleve_id) for e in ecole.eleves if e.eleve_id.isdigit()), default=2_400_000) + 3
    elenoet = max((int(e.elenoet) for e in ecole.eleves if e.elenoet.isdigit()), default=3099) + 1
    eleve = generateur._eleve(str(eleve_id), str(elenoet), division, [])
    eleve.doublement = False
    eleve.date_entree = ecole.date_export.date()
    eleve.scolarite_an_dernier = ScolariteAnDernier("0999250K", "COLLEGE", code_structure=f"{niveau}A")
    mefs = next((d.mefs for d in ecole.divisions if d.code == division), [])
    if mefs:
        eleve.code_mef = mefs[0]
    # Options only where a group of the division teaches them; groups from the options.
    options = [eleve.options[0]]
    for option in eleve.options[1:]:
        groupe = next((g for g in ecole.groupes if division in g.divisions
                       and any(s.matiere_code == option.matiere_code for s in g.services)), None)
        if groupe is not None:
            options.append(option)
            eleve.groupes.append(groupe.code)
    eleve.options = options
    return eleve
