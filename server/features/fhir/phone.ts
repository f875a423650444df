/**
 * French phone numbers in the international form the SAS guide asks for (`+33XXXXXXXXX`).
 * Overseas departments have their own country codes: 0262 12 34 56 is +262 262 12 34 56.
 */
const OVERSEAS: ReadonlyArray<[RegExp, string]> = [
  [/^0(262|263|692|693|269|639)/, '262'], // La Réunion, Mayotte
  [/^0(590|690|691)/, '590'], // Guadeloupe, Saint-Martin, Saint-Barthélemy
  [/^0(594|694)/, '594'], // Guyane
  [/^0(596|696|697)/, '596'] // Martinique
]

/** `02 51 58 00 01` → `+33251580001`; null when the number is not a French one we can read. */
export function toInternationalPhone (phone: string): string | null {
  const digits = phone.replace(/[\s.\-()]/g, '')
  if (/^\+\d{8,15}$/.test(digits)) return digits
  if (/^00\d{8,15}$/.test(digits)) return '+' + digits.slice(2)
  if (!/^0[1-9]\d{8}$/.test(digits)) return null
  const overseas = OVERSEAS.find(([re]) => re.test(digits))
  return '+' + (overseas?.[1] ?? '33') + digits.slice(1)
}
