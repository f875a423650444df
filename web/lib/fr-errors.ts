import { z } from 'zod'

// Sentences for the checks our schemas add themselves, by field; zod's French locale covers the rest.
const BY_FIELD: Record<string, string> = {
  email: 'Adresse e-mail invalide.',
  password: 'Au moins 10 caractères.',
  'practitioner.rpps': 'Numéro RPPS invalide : 11 chiffres, le dernier étant une clé de contrôle.',
  'practitioner.postalCode': 'Code postal inconnu : 5 chiffres d\u2019une commune française.',
  'practitioner.commune': 'Cette commune ne correspond pas au code postal.',
  'practitioner.phone': 'Numéro de téléphone invalide (ex. 02 51 58 00 00).',
  'practitioner': 'Un praticien a besoin de son RPPS, de sa profession et de son adresse.',
  cptsId: 'Choisissez une CPTS existante.',
  timezone: 'Fuseau horaire inconnu (ex. Europe/Paris).'
}

const frLocale = z.locales.fr()

export interface IssueLike { code?: string, path: Array<string | number>, message: string, [k: string]: unknown }

/** A French sentence for one issue answered by the server or found by the form itself. */
export function frenchIssue (issue: IssueLike): string {
  const key = issue.path.join('.')
  if (issue.code === 'custom' && key === 'practitioner.commune' && issue.message.includes('expected one of')) {
    const list = issue.message.split('expected one of: ')[1] ?? ''
    return `Cette commune ne correspond pas au code postal. Communes de ce code postal : ${list}.`
  }
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
