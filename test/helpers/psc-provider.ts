// A Pro Santé Connect stand-in for the tests: a real OpenID provider (oidc-provider, certified)
// on 127.0.0.1 (port 0), configured like PSC: discovery at `/.well-known/wallet-openid-configuration`,
// scope `scope_all` with PSC's claims (SubjectNameID = the IDNPS, SubjectRefPro…), `acr` eidas1,
// userinfo as a signed JWT, the `iss` parameter on the authorization response, end-session, and a
// sign-in page that reads like PSC's. Also a fetch that forges PSC's answers (tests of refusals).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import Provider, { type Configuration } from 'oidc-provider'

export interface PscProfessional { idnps: string, sub: string, givenName: string, familyName: string, profession: string }

export interface PscStandIn {
  issuer: string
  discoveryUrl: string
  clientId: string
  clientSecret: string
  /** Registers the app's redirect and post-logout URLs and starts the provider: once, before the first sign-in. */
  allowRedirect: (redirectUrl: string, postLogoutUrl: string) => void
  /** The professionals PSC knows, by IDNPS. */
  professionals: Map<string, PscProfessional>
  /** A fetch for the app's PSC client that lets a test rewrite PSC's answers (see Forgery). */
  forgingFetch: (forge: () => Forgery | null) => typeof fetch
  /** Signs a JWT with a key the provider does not publish. */
  foreignKey: { sign: (payload: JWTPayload) => Promise<string> }
  /** Signs a JWT with the provider's own key (a forged token PSC's signature would cover). */
  ownKey: { sign: (payload: JWTPayload) => Promise<string> }
  close: () => Promise<void>
}

/** How a test forges PSC's answers: the ID token's claims, its key, the userinfo's form. */
export interface Forgery {
  idToken?: (claims: JWTPayload) => JWTPayload
  idTokenKey?: 'own' | 'foreign'
  /** `json`: answer the userinfo unsigned (application/json); `foreign`: signed with another key. */
  userinfo?: 'json' | 'foreign'
}

/** A sign-in page like PSC's: the Ministry's banner, e-CPS or CPS card, then the professional. */
function signInPage (uid: string, professionals: Iterable<PscProfessional>): string {
  const options = [...professionals].map((p) => `<option value="${p.idnps}">${p.givenName} ${p.familyName} (${p.idnps})</option>`).join('')
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect</title></head>
<body>
<header><p>Ministère de la Santé et de la prévention</p><p>Agence du Numérique en Santé</p></header>
<main>
<h1>Pro Santé Connect</h1>
<p>Identifiez-vous avec votre e-CPS ou votre carte CPS.</p>
<form method="post" action="/interaction/${uid}/login">
<label for="idnps">Identifiant national (RPPS)</label>
<select id="idnps" name="idnps">${options}</select>
<button type="submit">Se connecter avec e-CPS</button>
</form>
</main>
</body></html>
`
}

async function formBody (req: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of req) body += String(chunk)
  return new URLSearchParams(body)
}

export async function startPscStandIn (professionals: PscProfessional[]): Promise<PscStandIn> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/realms/esante-wallet`
  const known = new Map(professionals.map((p) => [p.idnps, p]))
  const bySub = (sub: string) => [...known.values()].find((p) => p.sub === sub)

  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'psc-stand-in', use: 'sig', alg: 'RS256' }
  const foreign = await generateKeyPair('RS256', { extractable: true })

  const client = {
    client_id: 'creneaux-test',
    client_secret: 'creneaux-test-secret-0123456789',
    redirect_uris: [] as string[],
    post_logout_redirect_uris: [] as string[],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256'
  }

  // oidc-provider's context, as far as this configuration reads it.
  interface Ctx { oidc: { client?: { clientId: string }, session?: { accountId?: string, grantIdFor: (id: string) => string | undefined }, provider: { Grant: GrantClass } } }
  interface GrantInstance { addOIDCScope: (scope: string) => void, save: () => Promise<string> }
  interface GrantClass { new (init: { clientId: string, accountId: string }): GrantInstance, find: (id: string) => Promise<GrantInstance | undefined> }

  const configuration: Configuration = {
    clients: [client],
    jwks: { keys: [jwk] },
    cookies: { keys: ['stand-in-cookie-key-0123456789'] },
    scopes: ['openid', 'scope_all'],
    claims: {
      openid: ['sub'],
      scope_all: ['SubjectNameID', 'SubjectRefPro', 'SubjectRole', 'given_name', 'family_name', 'preferred_username', 'UITVersion']
    },
    acrValues: ['eidas1'],
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true }
    },
    pkce: { required: () => true },
    interactions: { url: (_ctx: Ctx, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // PSC asks no consent of its own: the grant is made at sign-in.
    loadExistingGrant: async (ctx: Ctx) => {
      const found = ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId)
      if (found !== undefined) return await ctx.oidc.provider.Grant.find(found)
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! })
      grant.addOIDCScope('openid scope_all')
      await grant.save()
      return grant
    },
    findAccount: async (_ctx: Ctx, sub: string) => {
      const p = bySub(sub)
      if (p === undefined) return undefined
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          SubjectNameID: p.idnps,
          preferred_username: p.idnps,
          given_name: p.givenName,
          family_name: p.familyName,
          UITVersion: '1.0',
          SubjectRole: [`${p.profession}^1.2.250.1.213.1.1.5.5`],
          SubjectRefPro: { exercices: [{ codeProfession: p.profession, nomDexercice: p.familyName, prenomDexercice: p.givenName, activities: [] }] }
        })
      }
    },
    ttl: { Session: 3600, Interaction: 600, AccessToken: 300, IdToken: 300, AuthorizationCode: 60, Grant: 3600 }
  }
  // Created once the app's redirect URL is known (allowRedirect): oidc-provider reads its clients at start.
  let provider: Provider | null = null
  let callback: ((req: IncomingMessage, res: ServerResponse) => void) | null = null
  const prefix = new URL(issuer).pathname

  server.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer)
      // PSC's discovery document is not at the standard path.
      if (url.pathname === `${prefix}/.well-known/wallet-openid-configuration`) req.url = `${prefix}/.well-known/openid-configuration`
      const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname)
      if (provider === null || callback === null) { res.writeHead(503).end('stand-in not ready: allowRedirect first'); return }
      if (interaction !== null) {
        const details = await provider.interactionDetails(req, res)
        if (interaction[2] === undefined) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInPage(details.uid, known.values()))
          return
        }
        const p = known.get((await formBody(req)).get('idnps') ?? '')
        if (p === undefined) { res.writeHead(400).end('unknown professional'); return }
        await provider.interactionFinished(req, res, { login: { accountId: p.sub, acr: 'eidas1', amr: ['mfa'] } }, { mergeWithLastSubmission: false })
        return
      }
      // The discovery document under the issuer's path (as PSC's, a Keycloak realm); the endpoints it lists at the root.
      if (url.pathname.startsWith(prefix)) req.url = req.url!.slice(prefix.length) || '/'
      callback(req, res)
    })().catch((err: Error) => { res.writeHead(500).end(err.message) })
  })

  const signWith = (key: CryptoKey, kid: string) => async (payload: JWTPayload) =>
    await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key)
  const ownKey = { sign: signWith(privateKey, 'psc-stand-in') }
  const foreignKey = { sign: signWith(foreign.privateKey, 'psc-stand-in') }

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/wallet-openid-configuration`,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    professionals: known,
    allowRedirect: (redirectUrl, postLogoutUrl) => {
      if (provider !== null) throw new Error('allowRedirect once, before the first sign-in')
      client.redirect_uris.push(redirectUrl)
      client.post_logout_redirect_uris.push(postLogoutUrl)
      provider = new Provider(issuer, configuration)
      callback = provider.callback()
    },
    ownKey,
    foreignKey,
    forgingFetch: (forge) => async (input, init) => {
      const res = await fetch(input, init)
      const f = forge()
      if (f === null) return res
      const url = String(input instanceof Request ? input.url : input)
      if (url.endsWith('/token') && res.ok && (f.idToken !== undefined || f.idTokenKey !== undefined)) {
        const body = await res.json() as { id_token: string }
        const claims = (f.idToken ?? ((c) => c))(decodeJwt(body.id_token))
        body.id_token = await (f.idTokenKey === 'foreign' ? foreignKey : ownKey).sign(claims)
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
      }
      if (url.endsWith('/me') && res.ok && f.userinfo !== undefined) {
        const jwt = await res.text()
        decodeProtectedHeader(jwt)
        const claims = decodeJwt(jwt)
        return f.userinfo === 'json'
          ? new Response(JSON.stringify(claims), { status: 200, headers: { 'content-type': 'application/json' } })
          : new Response(await foreignKey.sign(claims), { status: 200, headers: { 'content-type': 'application/jwt' } })
      }
      return res
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
