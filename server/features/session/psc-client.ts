import type * as Oidc from 'openid-client'
import type { PscSettings } from '../../config.js'
import { AppError } from '../../errors.js'

/**
 * openid-client (and jose under it), loaded only when PSC is configured (auth.ts, at start): most
 * servers never use PSC, and the two weigh several MB of the process's memory
 * (docs/performance.md, "Memory"). Loaded at start, not in the first sign-in, so that a sign-in
 * awaits nothing more for it.
 */
export async function openidClient (): Promise<typeof Oidc> {
  return await import('openid-client')
}

/** The only level Pro Santé Connect grants today (e-CPS app or CPS card): asked for, and checked on the way back. */
export const PSC_ACR = 'eidas1'
/** `scope_all`: PSC's identity and practice claims (SubjectNameID, SubjectRefPro…) in one go. */
export const PSC_SCOPE = 'openid scope_all'

/** What a verified PSC sign-in tells us: the national identifier is the only thing accounts are found by. */
export interface PscIdentity {
  /** IDNPS (`8` + RPPS for an RPPS holder), from the userinfo's `SubjectNameID`. */
  idnps: string
  /** PSC's technical subject (`sub` of the ID token and the userinfo), kept for the audit only. */
  sub: string
  acr: string
}

/** A PSC refusal with its reason for the audit (never shown as is: the French sentence of `code` is). */
export class PscRefusal extends AppError {
  constructor (code: 'PSC_CALLBACK_INVALID' | 'PSC_ACR_INSUFFICIENT' | 'PSC_CANCELLED' | 'PSC_UNAVAILABLE' | 'PSC_ACCOUNT_UNKNOWN' | 'PSC_ACCOUNT_DISABLED', readonly reason: string) {
    super(code, reason)
  }
}

/**
 * The OpenID Connect client towards Pro Santé Connect, on openid-client (v6): discovery from
 * PSC_DISCOVERY_URL (fetched as given when it holds `/.well-known/`, so PSC's non-standard
 * `wallet-openid-configuration` works), authorization code flow with state, nonce and PKCE (S256),
 * client_secret_basic at the token endpoint, `iss` of the authorization response checked when the
 * provider announces it (RFC 9207; PSC does). ID token and signed userinfo are verified against the
 * provider's JWKS (`enableNonRepudiationChecks`: openid-client would otherwise trust TLS alone).
 */
export class PscClient {
  #config: Promise<Oidc.Configuration> | null = null
  /** The HTTP client towards PSC: tests replace it to forge PSC's answers. */
  fetch: typeof fetch = (...args) => fetch(...args)

  /** `oidc`: openid-client, as openidClient() loads it. */
  constructor (readonly settings: PscSettings, readonly oidc: typeof Oidc) {}

  /** Discovery is done once, at first use; a failure is not kept (the next sign-in tries again). */
  async configuration (): Promise<Oidc.Configuration> {
    if (this.#config === null) {
      const pending = this.#discover()
      this.#config = pending
      pending.catch(() => { if (this.#config === pending) this.#config = null })
    }
    try {
      return await this.#config
    } catch (err) {
      throw new PscRefusal('PSC_UNAVAILABLE', `discovery failed: ${(err as Error).message}`)
    }
  }

  async #discover (): Promise<Oidc.Configuration> {
    const oidc = this.oidc
    const url = new URL(this.settings.discoveryUrl)
    const insecure = url.protocol === 'http:'
    const probe = await oidc.discovery(url, this.settings.clientId, undefined, undefined, {
      [oidc.customFetch]: (u, o) => this.fetch(u, o as RequestInit),
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {})
    })
    const meta = probe.serverMetadata()
    const announced = (meta.userinfo_signing_alg_values_supported ?? []).filter((a) => a !== 'none')
    // When the provider can sign the userinfo (PSC announces RS256 among others), an unsigned one is
    // refused: we ask for RS256 when offered, else the first algorithm announced.
    const userinfoAlg = this.settings.userinfoSigned === 'auto' && announced.length > 0
      ? (announced.includes('RS256') ? 'RS256' : announced[0])
      : undefined
    const config = new oidc.Configuration(meta, this.settings.clientId, {
      client_secret: this.settings.clientSecret,
      id_token_signed_response_alg: 'RS256',
      ...(userinfoAlg === undefined ? {} : { userinfo_signed_response_alg: userinfoAlg })
    }, oidc.ClientSecretBasic(this.settings.clientSecret))
    config[oidc.customFetch] = (u, o) => this.fetch(u, o as RequestInit)
    config.timeout = 15
    if (insecure) oidc.allowInsecureRequests(config)
    oidc.enableNonRepudiationChecks(config)
    return config
  }

  /** The address of PSC's sign-in page for one attempt. */
  async authorizationUrl (checks: { redirectUri: string, state: string, nonce: string, codeVerifier: string }): Promise<URL> {
    const config = await this.configuration()
    const oidc = this.oidc
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: checks.redirectUri,
      scope: PSC_SCOPE,
      acr_values: PSC_ACR,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256'
    })
  }

  /**
   * Checks PSC's answer (the callback's query) against the attempt it belongs to, trades the code
   * for tokens, checks the ID token (signature, issuer, audience, expiry, nonce) and its `acr`, and
   * reads the signed userinfo. Any failure is a `PscRefusal`.
   */
  async finish (query: string, checks: { redirectUri: string, state: string, nonce: string, codeVerifier: string }): Promise<PscIdentity> {
    const config = await this.configuration()
    const oidc = this.oidc
    const current = new URL(checks.redirectUri)
    current.search = query
    let tokens: Awaited<ReturnType<typeof Oidc.authorizationCodeGrant>>
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true
      })
    } catch (err) {
      if (err instanceof oidc.AuthorizationResponseError && err.error === 'access_denied') throw new PscRefusal('PSC_CANCELLED', `PSC answered ${err.error}`)
      throw new PscRefusal('PSC_CALLBACK_INVALID', describe(err))
    }
    const claims = tokens.claims()
    if (claims === undefined || tokens.id_token === undefined) throw new PscRefusal('PSC_CALLBACK_INVALID', 'no ID token')
    if (claims.acr !== PSC_ACR) throw new PscRefusal('PSC_ACR_INSUFFICIENT', `acr ${String(claims.acr)}, ${PSC_ACR} required`)
    let userinfo: Oidc.UserInfoResponse
    try {
      userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)
    } catch (err) {
      throw new PscRefusal('PSC_CALLBACK_INVALID', `userinfo: ${describe(err)}`)
    }
    const idnps = userinfo.SubjectNameID
    // `8` + RPPS for RPPS holders; other forms exist (ADELI-based, the sandbox's test identities):
    // any plain identifier is looked up, and one no account carries is PSC_ACCOUNT_UNKNOWN.
    if (typeof idnps !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(idnps)) throw new PscRefusal('PSC_CALLBACK_INVALID', 'userinfo without a usable SubjectNameID (IDNPS)')
    return { idnps, sub: claims.sub, acr: claims.acr }
  }

  /** PSC's end-session address for a sign-out, or null when the provider has none. */
  async endSessionUrl (postLogoutUrl: string): Promise<string | null> {
    const config = await this.configuration()
    const oidc = this.oidc
    if (config.serverMetadata().end_session_endpoint === undefined) return null
    return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutUrl }).href
  }
}

function describe (err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return `${typeof code === 'string' ? code + ': ' : ''}${err.message}`.slice(0, 300)
  }
  return 'unknown error'
}
