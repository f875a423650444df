import { z } from 'zod'
import { FORBIDDEN_CHARACTERS, INVISIBLE_NAME } from '../../shared/schemas/common.js'

// Sentences for the checks our schemas add themselves, by field; zod's French locale covers the rest.
const BY_FIELD: Record<string, string> = {
  // Slots (/praticien): POST /api/slots and POST /api/slots/series.
  start: 'Début du créneau invalide : il doit être à venir, au plus 180 jours à l\u2019avance.',
  end: 'Durée invalide : un créneau dure de 5 à 240 minutes.',
  startTime: 'Heure invalide : choisissez l\u2019heure et les minutes (24 h).',
  slotMinutes: 'Durée en minutes : un nombre entier de 5 à 240.',
  count: 'Nombre de créneaux par jour : de 1 à 48, tenant en 24 heures (nombre × durée).',
  weekdays: 'Cochez au moins un jour de la semaine.',
  email: 'Adresse e-mail invalide.',
  password: 'Au moins 10 caractères.',
  'practitioner.rpps': 'Numéro RPPS invalide : 11 chiffres, le dernier étant une clé de contrôle.',
  'practitioner.postalCode': 'Code postal inconnu : 5 chiffres d\u2019une commune française.',
  'practitioner.commune': 'Cette commune ne correspond pas au code postal.',
  'practitioner.address': 'Adresse trop courte : indiquez le numéro et la rue du cabinet.',
  'practitioner.phone': 'Numéro de téléphone invalide (ex. 02 51 58 00 00).',
  'practitioner.structureId': 'Identifiant de structure invalide : 1 + FINESS (9 chiffres), 3 + SIRET (14 chiffres) ou 4 + RPPS rang (14 chiffres).',
  'practitioner': 'Un praticien a besoin de son RPPS, de sa profession et de son adresse.',
  cptsId: 'Choisissez une CPTS existante.',
  idnps: 'IDNPS invalide : un chiffre puis des chiffres ou des lettres, 64 caractères au plus (8 + RPPS, 0 + ADELI).',
  // Places and CPTS of a practitioner (/admin): POST|PATCH /api/users/:id/places, PUT /api/users/:id/cpts.
  label: 'Un autre lieu de ce praticien porte déjà ce nom : choisissez-en un autre (80 caractères au plus).',
  address: 'Adresse trop courte : indiquez le numéro et la rue du lieu de consultation.',
  postalCode: 'Code postal inconnu : 5 chiffres d\u2019une commune française.',
  commune: 'Cette commune ne correspond pas au code postal.',
  phone: 'Numéro de téléphone invalide (ex. 02 51 58 00 00).',
  structureId: 'Identifiant de structure invalide : 1 + FINESS (9 chiffres), 3 + SIRET (14 chiffres) ou 4 + RPPS rang (14 chiffres).',
  cptsIds: 'Cochez de 1 à 10 CPTS existantes, chacune une fois.',
  homeCptsId: 'La CPTS principale doit être l\u2019une des CPTS cochées.',
  placeId: 'Choisissez un lieu de consultation actif de ce praticien.',
  timezone: 'Fuseau horaire inconnu (ex. Europe/Paris).',
  // Bookings and calls (/regulation): POST /api/slots/:id/booking (or the live `book`) and POST /api/calls.
  'patient.lastName': 'Indiquez le nom du patient (100 caractères au plus).',
  'patient.firstName': 'Indiquez le prénom du patient (100 caractères au plus).',
  'patient.birthDate': 'Date de naissance invalide : JJ/MM/AAAA, entre 1900 et aujourd\u2019hui (ex. 02/01/1980).',
  'patient.phone': 'Numéro de téléphone invalide : 10 chiffres (ex. 06 12 34 56 78) ou +33….',
  patient: 'Indiquez le nom, le prénom, la date de naissance et le téléphone du patient.',
  hasTreatingGp: 'Indiquez si le patient a un médecin traitant (oui, non ou ne sait pas).',
  idempotencyKey: 'Cette demande a déjà servi pour un autre créneau : rouvrez le créneau et recommencez.',
  bookingId: 'Réservation introuvable pour cet appel.',
  communeCode: 'Commune du patient inconnue : choisissez-la dans la liste.'
}

const frLocale = z.locales.fr()

export interface IssueLike { code?: string, path: Array<string | number>, message: string, [k: string]: unknown }

/** A French sentence for one issue answered by the server or found by the form itself. */
export function frenchIssue (issue: IssueLike): string {
  const key = issue.path.join('.')
  // The server names the communes of the postal code (users-service.ts, resolveCommune).
  if ((key === 'practitioner.commune' || key === 'commune') && Array.isArray(issue.communes) && issue.communes.length > 0) {
    return `Cette commune ne correspond pas au code postal. Communes de ce code postal : ${issue.communes.join(', ')}.`
  }
  if (issue.code === 'custom' && issue.message === FORBIDDEN_CHARACTERS) {
    return 'Caractères interdits : écrivez sur une seule ligne, sans caractères de contrôle ni marques de sens d\u2019écriture.'
  }
  if (issue.code === 'custom' && issue.message === INVISIBLE_NAME) return INVISIBLE_NAME
  // An empty field is "required", whatever the field's own check would say.
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'Champ obligatoire.'
  const known = BY_FIELD[key]
  if (known !== undefined) return known
  const fr = frLocale.localeError(issue as never)
  return typeof fr === 'string' ? fr : (fr?.message ?? issue.message)
}

/** Issues to a map field path → French sentence (the first issue of each field). */
export function frenchFieldErrors (issues: IssueLike[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const i of issues) out[i.path.join('.')] ??= frenchIssue(i)
  return out
}
