import type { Role } from './schemas/accounts.js'

/** The French pages, who may open them, and how they are named in messages. */
export const PAGES = {
  connexion: { path: '/connexion', title: 'Connexion', roles: 'anyone' },
  regulation: { path: '/regulation', title: 'Régulation', roles: ['regulator', 'admin'] },
  praticien: { path: '/praticien', title: 'Mes créneaux', roles: ['practitioner', 'admin'] },
  bilan: { path: '/bilan', title: 'Bilan de saison', roles: ['board', 'admin'] },
  admin: { path: '/admin', title: 'Administration', roles: ['admin'] },
  journal: { path: '/admin/journal', title: 'Journal d’audit', roles: ['admin'] },
  patients: { path: '/admin/patients', title: 'Droits des patients', roles: ['admin'] }
} as const satisfies Record<string, { path: string, title: string, roles: 'anyone' | readonly Role[] }>

export type PageName = keyof typeof PAGES

/** The sentence shown when a role was sent back from a page it may not use. */
export function refusalMessage (page: string): string {
  const p = (PAGES as Record<string, { title: string } | undefined>)[page]
  return p === undefined
    ? "Vous n'avez pas accès à cette page."
    : `Vous n'avez pas accès à la page «\u202f${p.title}\u202f» : elle est réservée à d'autres rôles.`
}

/** Where each role lands after signing in. */
export const HOME_PAGE: Record<Role, string> = {
  admin: '/admin',
  practitioner: '/praticien',
  regulator: '/regulation',
  board: '/bilan'
}
