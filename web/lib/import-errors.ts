/**
 * The season import's line errors in French. The server names each problem of a line in
 * English, joined by "; " (the API's words, kept for scripts); the admin page shows them in
 * French through these patterns. test/import-errors-fr.test.ts feeds every problem the
 * importer can name through them, so a new sentence on the server without its French fails.
 */
import { quoted } from './french.js'

const COLUMN: Record<string, string> = {
  rpps: 'rpps', start: 'start (début)', end: 'end (fin)', kind: 'kind (type)', mode: 'mode',
  withdrawn_at: 'withdrawn_at (retrait)', booked_at: 'booked_at (réservation)', outcome: 'outcome (issue)', has_treating_gp: 'has_treating_gp (médecin traitant)'
}
const col = (c: string): string => quoted(COLUMN[c] ?? c)

const PATTERNS: ReadonlyArray<[RegExp, (...m: string[]) => string]> = [
  [/^rpps is required$/, () => 'RPPS manquant.'],
  [/^unknown RPPS (\S+): no practitioner account has it$/, (r) => `RPPS ${r} inconnu : aucun compte de praticien n’a ce numéro.`],
  [/^the practitioner with RPPS (\S+) is not attached to a CPTS$/, (r) => `Le praticien de RPPS ${r} n’est rattaché à aucune CPTS.`],
  [/^(\w+) is required$/, (c) => `Colonne ${col(c)} obligatoire.`],
  [/^(\w+) (".*") is not an ISO 8601 date-time/, (c, v) => `${col(c)} ${v} n’est pas une date-heure ISO 8601 avec son décalage ou Z (ex. 2020-07-13T12:00:00+02:00).`],
  [/^(\w+) (".*") is before the year 2000/, (c, v) => `${col(c)} ${v} est antérieure à l’an 2000 : ce n’est pas une saison de soins non programmés.`],
  [/^end must be after start$/, () => 'La fin doit être après le début.'],
  [/^start is in the future/, () => 'Le début est dans le futur : l’import ne prend que des créneaux passés (publiez les créneaux à venir dans l’agenda).'],
  [/^booked_at is in the future$/, () => 'La date de réservation est dans le futur.'],
  [/^kind must be (.+), not (".*")$/, (allowed, v) => `${col('kind')} doit valoir ${allowed.replace(' or ', ' ou ')}, pas ${v}.`],
  [/^RPPS (\S+) is a GP/, (r) => `Le RPPS ${r} est celui d’un médecin généraliste : ses créneaux sont de type snp.`],
  [/^RPPS (\S+) is a psychiatrist/, (r) => `Le RPPS ${r} est celui d’un psychiatre : ses créneaux sont de type psy.`],
  [/^(mode|outcome|has_treating_gp) must be (.+), not (".*")$/, (c, allowed, v) => `${col(c)} doit valoir ${allowed}, pas ${v}.`],
  [/^unknown place (".*") for RPPS (\S+): not one of the practitioner's places$/, (v, r) => `Lieu ${v} inconnu : ce n’est pas un des lieux du praticien de RPPS ${r}.`],
  [/^CPTS (".*") is not one of the CPTS of RPPS (\S+)$/, (v, r) => `CPTS ${v} inconnue : le praticien de RPPS ${r} n’en est pas membre.`],
  [/^the CPTS (.+) are not in one time zone/, (names) => `Les CPTS ${names} n’ont pas le même fuseau horaire : un créneau est proposé à des CPTS d’un seul fuseau.`],
  [/^withdrawn_at and booked_at are both set/, () => 'Retrait et réservation à la fois : un créneau est retiré libre, ou réservé.'],
  [/^outcome without booked_at/, () => `Une issue sans date de réservation : une réservation a besoin de sa colonne ${col('booked_at')}.`],
  [/^(outcome|has_treating_gp) is required when booked_at is set \((.+)\)$/, (c, allowed) => `Colonne ${col(c)} obligatoire pour un créneau réservé (${allowed}).`],
  [/^overlaps the slot of line (\d+)/, (n) => `Chevauche le créneau de la ligne ${n} (même praticien).`],
  [/^overlaps a slot of this practitioner already in the calendar \(starting (.+)\)/, (at) => `Chevauche un créneau de ce praticien déjà dans l’agenda (début ${at}) : ce fichier a-t-il déjà été importé ?`],
  [/^missing header line: the first line must be (.+)$/, (h) => `Ligne d’en-tête manquante : la première ligne doit être ${h}`],
  [/^empty file/, () => 'Fichier vide : la première ligne doit être l’en-tête, puis un créneau par ligne.'],
  [/^bad header line \((.+)\): expected (.+)$/, (why, h) => `En-tête incorrect (${why.replace(/missing columns?/, 'colonnes manquantes :').replace(/unknown columns?/, 'colonnes inconnues :').replace(/columns? (.+) given twice/, 'colonnes en double : $1')}) : attendu ${h}`],
  [/^expected (\d+) fields \((.+)\), found (\d+)$/, (n, _h, found) => `${found} champs au lieu de ${n}.`],
  [/^no slot in the file/, () => 'Aucun créneau dans le fichier : un créneau par ligne après l’en-tête.'],
  [/^unreadable CSV/, () => 'Fichier CSV illisible : vérifiez les guillemets et le séparateur (virgule, ou point-virgule partout).']
]

/** Splits a line's message into its problems, at "; " outside parentheses. */
export function splitProblems (message: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < message.length; i++) {
    const ch = message[i]
    if (ch === '(') depth++
    else if (ch === ')') depth = Math.max(0, depth - 1)
    else if (ch === ';' && message[i + 1] === ' ' && depth === 0) {
      out.push(message.slice(start, i))
      start = i + 2
    }
  }
  out.push(message.slice(start))
  return out.filter((p) => p !== '')
}

/** One problem in French, or null when no pattern knows it. */
export function frenchProblem (problem: string): string | null {
  for (const [re, fr] of PATTERNS) {
    const m = re.exec(problem)
    if (m !== null) return fr(...m.slice(1))
  }
  return null
}

/** A line's message in French (an unknown problem is shown as the server wrote it). */
export function frenchImportError (message: string): string {
  return splitProblems(message).map((p) => frenchProblem(p) ?? p).join(' ')
}
