/**
 * Splits an account's single `name` ("Dr Marie DURAND", "Marie Durand", "DURAND Marie") into
 * FHIR HumanName parts. French usage writes the family name in capitals when it matters; else
 * the first word is the given name and the rest the family name ("Anne de La Tour").
 */
export interface NameParts { prefix?: string[], given?: string[], family: string }

const TITLE = /^(dr|dre|docteure?|pr|professeure?)\.?$/i

export function splitPersonName (full: string): NameParts {
  const words = full.trim().split(/\s+/).filter((w) => w !== '')
  const parts: Partial<NameParts> = {}
  if (words.length > 1 && TITLE.test(words[0] ?? '')) {
    const title = (words.shift() ?? '').replace(/\.$/, '').toLowerCase()
    parts.prefix = [title.startsWith('p') ? 'Pr' : 'Dr']
  }
  if (words.length === 0) return { ...parts, family: full.trim() }
  if (words.length === 1) return { ...parts, family: words[0] ?? '' }
  const isCapitals = (w: string): boolean => /\p{L}{2}/u.test(w) && w === w.toLocaleUpperCase('fr') && w !== w.toLocaleLowerCase('fr')
  const capitals = words.filter(isCapitals)
  if (capitals.length > 0 && capitals.length < words.length) {
    return { ...parts, given: words.filter((w) => !isCapitals(w)), family: capitals.join(' ') }
  }
  return { ...parts, given: [words[0] ?? ''], family: words.slice(1).join(' ') }
}
