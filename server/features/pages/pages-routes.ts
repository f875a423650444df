import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { Role } from '../../../shared/schemas/accounts.js'
import { HOME_PAGE, PAGES, type PageName } from '../../../shared/pages.js'
import { PSC_START_PATH } from '../session/psc-routes.js'

function shell (page: PageName, psc: boolean): string {
  const { title } = PAGES[page]
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Créneaux</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<div id="app" data-page="${page}"${psc ? ' data-psc="on"' : ''}><noscript>Créneaux a besoin de JavaScript.</noscript></div>
<script type="module" src="/assets/${page}.js"></script>
</body>
</html>
`
}

const html = (reply: FastifyReply, page: PageName): FastifyReply =>
  reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(shell(page, reply.server.psc !== null))

/** A link from the SAS platform: `origin=sas` (its kit sends `sas-preprod` from the pre-production platform). */
const fromSas = (query: unknown): boolean => {
  const origin = (query as Record<string, unknown> | null)?.origin
  return typeof origin === 'string' && /^sas\b/i.test(origin)
}

/**
 * The French pages. Each is a small HTML shell around its script; the server decides who may
 * open it: anonymous visitors go to /connexion, a role that may not use a page is sent back to
 * its own page with `?refus=<page>`, which that page explains.
 */
const routes: FastifyPluginAsync = async (app) => {
  app.get('/', async (request, reply) =>
    reply.redirect(request.user === null ? '/connexion' : HOME_PAGE[request.user.role]))

  for (const [name, page] of Object.entries(PAGES) as Array<[PageName, (typeof PAGES)[PageName]]>) {
    app.get(page.path, async (request, reply) => {
      if (page.roles === 'anyone') return html(reply, name)
      const user = request.user
      // The query goes along: a link such as /regulation?praticien=<id> (the SAS platform's) still works after sign-in.
      // A regulator sent by the SAS goes straight to Pro Santé Connect (SSO, flux v2), not to our password page.
      if (user === null) {
        const signIn = app.psc !== null && fromSas(request.query) ? PSC_START_PATH : '/connexion'
        return reply.redirect(`${signIn}?suite=${encodeURIComponent(request.url)}`)
      }
      if (!(page.roles as readonly Role[]).includes(user.role)) {
        return reply.redirect(`${HOME_PAGE[user.role]}?refus=${encodeURIComponent(name)}`)
      }
      return html(reply, name)
    })
  }
}

export default routes
