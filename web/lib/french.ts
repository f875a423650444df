/**
 * French typography and plurals for the pages' sentences: 0 and 1 take the singular
 * ("0 créneau offert", "1 réservé sur 1 offert"), guillemets hold their text with no-break
 * spaces (never an orphan « or » at a line end), and the 116 117 number never wraps.
 */

/** No-break space (between a number's groups). */
export const NBSP = '\u00a0'
/** Narrow no-break space (inside guillemets, before ; : ! ?). */
export const NNBSP = '\u202f'

/** The SAS number, its two groups held together. */
export const SAS_NUMBER = `116${NBSP}117`

/** French grouping of a whole number: '12 345' (narrow no-break space, as Intl writes it). */
export const frInt = (n: number): string => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 }).format(n)

/** True when a count takes the plural in French: 2 and more (0 and 1 are singular). */
export const isPlural = (n: number): boolean => Math.abs(n) >= 2

/** '0 créneau', '1 créneau', '2 créneaux': the count and the word it agrees with. */
export function plural (n: number, one: string, many: string): string {
  return `${frInt(n)}${NBSP}${isPlural(n) ? many : one}`
}

/** The word alone, agreeing with n: 'réservé' / 'réservés'. */
export const agree = (n: number, one: string, many: string): string => isPlural(n) ? many : one

/** '« Été 2020 »' with no-break spaces inside, so that neither guillemet ends up alone. */
export const quoted = (text: string): string => `«${NNBSP}${text}${NNBSP}»`

/** '1 réservé sur 1 offert', '3 réservés sur 10 offerts', '0 réservé sur 0 offert'. */
export const bookedOfOffered = (booked: number, offered: number): string =>
  `${plural(booked, 'réservé', 'réservés')} sur ${plural(offered, 'offert', 'offerts')}`
