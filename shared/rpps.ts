/**
 * RPPS: the 11-digit national identifier of a health professional. Its last digit is a
 * Luhn check digit over the first ten, so a mistyped digit or a swap of two neighbours
 * is caught before the number reaches the database.
 */
export function isValidRpps (value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false
  let sum = 0
  for (let i = 0; i < 11; i++) {
    // Double every second digit counting from the right, the check digit being the first.
    let d = value.charCodeAt(10 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** Completes ten digits with their Luhn check digit (for demo data and tests). */
export function withRppsKey (tenDigits: string): string {
  if (!/^\d{10}$/.test(tenDigits)) throw new Error('ten digits expected')
  for (let k = 0; k <= 9; k++) {
    const candidate = tenDigits + String(k)
    if (isValidRpps(candidate)) return candidate
  }
  /* c8 ignore next */
  throw new Error('unreachable: one Luhn digit always fits')
}

/** The national identifier IDNPS of an RPPS holder: `8` followed by the RPPS (as Pro Santé Connect and the SAS write it). */
export const idnpsOfRpps = (rpps: string): string => `8${rpps}`
