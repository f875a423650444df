/** Case, accents, hyphens, apostrophes and spaces ignored: « Lefèvre-Dupont » finds « LEFEVRE DUPONT ». */
export const foldName = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[\s'’-]+/g, ' ').trim()
