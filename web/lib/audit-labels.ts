/**
 * The audit journal in French: what each action of the audit log means, grouped as the filter
 * of /admin/journal lists them. An action not listed here is shown by its code.
 */
export const ACTION_GROUPS: ReadonlyArray<{ label: string, actions: ReadonlyArray<[string, string]> }> = [
  {
    label: 'Connexions et comptes',
    actions: [
      ['session.sign_in', 'Connexion'],
      ['session.sign_in_failed', 'Connexion refusée'],
      ['session.psc_refused', 'Connexion Pro Santé Connect refusée'],
      ['user.psc_link', 'Compte lié à Pro Santé Connect'],
      ['token.create', 'Jeton d’API créé'],
      ['token.revoke', 'Jeton d’API révoqué'],
      ['user.create', 'Compte créé'],
      ['user.update', 'Compte modifié'],
      ['user.deactivate', 'Compte désactivé'],
      ['user.reactivate', 'Compte réactivé'],
      ['user.password_reset', 'Lien de réinitialisation du mot de passe créé'],
      ['user.password_reset_used', 'Mot de passe réinitialisé'],
      ['sas.regulator_create', 'Compte régulateur créé par la plateforme SAS'],
      ['sas.regulator_update', 'Compte régulateur modifié par la plateforme SAS'],
      ['sas.regulator_deactivate', 'Compte régulateur désactivé par la plateforme SAS'],
      ['sas.regulator_reactivate', 'Compte régulateur réactivé par la plateforme SAS'],
      ['cpts.create', 'CPTS créée'],
      ['cpts.update', 'CPTS modifiée (FINESS, téléphone)'],
      ['place.create', 'Lieu de consultation ajouté'],
      ['place.update', 'Lieu de consultation modifié'],
      ['place.archive', 'Lieu de consultation archivé'],
      ['practitioner.cpts', 'CPTS d’un praticien modifiées']
    ]
  },
  {
    label: 'Réservations',
    actions: [
      ['booking.create', 'Réservation'],
      ['booking.read', 'Lecture de l’identité d’un patient'],
      ['booking.cancel', 'Annulation'],
      ['booking.move', 'Déplacement d’un rendez-vous'],
      ['booking.outcome', 'Issue de la consultation'],
      ['season.import', 'Import de saison'],
      ['slots.withdraw', 'Retrait de créneaux (série ou journée)']
    ]
  },
  {
    label: 'Droits des patients',
    actions: [
      ['patient.search', 'Recherche d’un patient'],
      ['patient.export', 'Export pour un patient (droit d’accès)'],
      ['patient.erase', 'Effacement pour un patient (droit à l’effacement)']
    ]
  },
  {
    label: 'Journal et conservation',
    actions: [
      ['audit.read', 'Consultation du journal'],
      ['audit.export', 'Export du journal (CSV)'],
      ['patient_data.purge', 'Effacement des données patients (durée de conservation)'],
      ['audit_log.purge', 'Purge du journal (durée de conservation)']
    ]
  },
  {
    label: 'Agendas',
    actions: [
      ['feed.create', 'Adresse d’agenda créée'],
      ['feed.rotate', 'Adresse d’agenda renouvelée']
    ]
  }
]

/** Roles as the admin pages name them. */
export const ROLE_LABEL: Record<string, string> = {
  practitioner: 'Praticien', regulator: 'Régulateur', board: 'Bureau de la CPTS', admin: 'Coordination CPTS'
}

const LABELS = new Map(ACTION_GROUPS.flatMap((g) => g.actions))

/** « Connexion » for `session.sign_in`; the code itself for an action unknown here. */
export const actionLabel = (action: string): string => LABELS.get(action) ?? action

const SUBJECTS: Record<string, string> = {
  user: 'Compte', booking: 'Réservation', cpts: 'CPTS', api_token: 'Jeton d’API', feed: 'Agenda',
  season: 'Saison', audit_log: 'Journal', patient: 'Patient', practitioner: 'Praticien'
}

/** « Réservation » for `booking`. */
export const subjectLabel = (type: string): string => SUBJECTS[type] ?? type

/** The detail's keys, as the server writes them, in French. */
const DETAIL_KEYS: Record<string, string> = {
  slotId: 'créneau', patientFields: 'champs du patient', fromBookingId: 'ancienne réservation',
  fromSlotId: 'ancien créneau', toSlotId: 'nouveau créneau', bookingIds: 'réservations', bookingId: 'réservation',
  search: 'recherche', patientSearch: 'recherche d’un patient', outcome: 'issue', seriesId: 'série',
  date: 'date', withdrawn: 'retirés', kept: 'gardés (réservés)', fields: 'champs', sessions: 'sessions fermées',
  tokens: 'jetons révoqués', expiresAt: 'expire le', role: 'rôle', label: 'libellé', erased: 'effacées',
  format: 'format', filters: 'filtres', entries: 'entrées', before: 'avant le', months: 'mois de conservation',
  bookings: 'réservations', slotsEndedBefore: 'créneaux finis avant le', slots: 'créneaux',
  practitioners: 'praticiens', firstStart: 'premier début', lastStart: 'dernier début', userId: 'compte',
  action: 'action', from: 'du', to: 'au', reason: 'motif', email: 'adresse e-mail', cptsIds: 'autres CPTS',
  placeId: 'lieu', home: 'lieu principal', added: 'CPTS ajoutées', removed: 'CPTS quittées',
  homeCptsId: 'CPTS principale', homeChanged: 'CPTS principale changée',
  requestIds: 'demandes de liste d’attente', requestsErased: 'demandes effacées', requestsEnded: 'demandes closes (retirées)'
}

/** Field names (of a patient, of an account) in French. */
const FIELD_NAMES: Record<string, string> = {
  lastName: 'nom', firstName: 'prénom', birthDate: 'date de naissance', phone: 'téléphone', reason: 'motif',
  email: 'adresse e-mail', name: 'nom', cpts_id: 'CPTS', sas_id: 'identifiant SAS', idnps: 'identifiant national',
  'practitioner.rpps': 'RPPS', 'practitioner.address': 'adresse', 'practitioner.postal_code': 'code postal',
  'practitioner.commune': 'commune', 'practitioner.commune_code': 'code de la commune', 'practitioner.phone': 'téléphone',
  'practitioner.structure_id': 'identifiant de structure',
  // A place's columns (place.update).
  label: 'libellé', address: 'adresse', postal_code: 'code postal', commune: 'commune', commune_code: 'code de la commune',
  structure_id: 'identifiant de structure', home: 'lieu principal'
}

const VALUES: Record<string, string> = { honored: 'honorée', no_show: 'patient absent', csv: 'CSV', json: 'JSON' }

/** Keys whose values are CPTS ids (practitioner.cpts, a slot's offers): shown by name when known. */
const CPTS_KEYS = new Set(['added', 'removed', 'homeCptsId', 'cptsIds'])

function valueText (key: string, v: unknown, cptsNames: ReadonlyMap<string, string>): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'boolean') return v ? 'oui' : 'non'
  const named = (x: string): string => CPTS_KEYS.has(key) ? (cptsNames.get(x) ?? x) : (FIELD_NAMES[x] ?? x)
  if (Array.isArray(v)) return v.length === 0 ? '(aucun)' : v.map((x) => typeof x === 'string' ? named(x) : JSON.stringify(x)).join(', ')
  if (typeof v === 'object') return '(' + detailText(v, cptsNames) + ')'
  if (typeof v !== 'string') return String(v)
  if (CPTS_KEYS.has(key)) return named(v)
  if (key === 'role') return ROLE_LABEL[v] ?? v
  if (key === 'action') return actionLabel(v)
  return VALUES[v] ?? v
}

/**
 * The detail of an entry on one line, in French: `clé : valeur · …`, lists joined by commas. It
 * never holds a patient's identity (the server writes which fields, not their values).
 */
export function detailText (detail: unknown, cptsNames: ReadonlyMap<string, string> = new Map()): string {
  if (detail === null || detail === undefined) return ''
  if (typeof detail !== 'object' || Array.isArray(detail)) return JSON.stringify(detail)
  return Object.entries(detail as Record<string, unknown>).map(([k, v]) => `${DETAIL_KEYS[k] ?? k} : ${valueText(k, v, cptsNames)}`).join(' · ')
}
