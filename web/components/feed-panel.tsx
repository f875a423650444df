/** /praticien: the practitioner's calendar feed (iCal) — the secret address, copy, change it. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { FeedUrls } from '../../shared/schemas/feeds.js'
import { api } from '../lib/api.js'
import { requestFailure } from './praticien-fields.js'

/** Copies with the clipboard API (secure pages only), else by selecting the field's text. */
async function copyText (text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    input?.select()
    try { return document.execCommand('copy') } catch { return false }
  }
}

export function FeedPanel () {
  const [feed, setFeed] = useState<FeedUrls | null>(null)
  const [withFree, setWithFree] = useState(false)
  const [status, setStatus] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const changeButton = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    api<FeedUrls>('GET', '/api/feed').then(setFeed, (err: unknown) => {
      setError(requestFailure(err).form ?? 'L’adresse de votre agenda n’a pas pu être chargée.')
    })
  }, [])

  const url = feed === null ? '' : withFree ? feed.urlWithFree : feed.url

  async function copy (): Promise<void> {
    setStatus(await copyText(url, input.current)
      ? 'Adresse copiée : collez-la dans votre agenda («\u202fS’abonner à un agenda\u202f» ou «\u202fAjouter un agenda par URL\u202f»).'
      : 'Copie impossible ici : sélectionnez l’adresse et copiez-la (Ctrl+C).')
  }

  async function rotate (): Promise<void> {
    setBusy(true)
    setError(undefined)
    try {
      setFeed(await api<FeedUrls>('POST', '/api/feed/rotate'))
      setStatus('Nouvelle adresse créée : l’ancienne ne fonctionne plus. Abonnez vos agendas à celle-ci.')
      setConfirming(false)
      input.current?.focus()
    } catch (err) {
      setError(requestFailure(err).form ?? 'L’adresse n’a pas pu être changée.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class='card feed-panel' id='flux' aria-labelledby='flux-title'>
      <h2 id='flux-title'>Votre agenda dans votre calendrier</h2>
      <p>
        Abonnez votre agenda (Google Agenda, Outlook, Apple Calendrier, Thunderbird…) à cette adresse :
        vos réservations y apparaissent à la bonne heure et se mettent à jour d’elles-mêmes
        {feed !== null && ` (toutes les ${feed.refreshMinutes} minutes environ)`}.
        L’identité des patients n’y figure jamais : elle reste sur cette page.
      </p>
      {error !== undefined && <p class='banner banner-error' role='alert'>{error}</p>}
      {feed === null && error === undefined && <p class='hint'>Chargement…</p>}
      {feed !== null && (
        <>
          <label class='pr-check'>
            <input type='checkbox' checked={withFree} onChange={(e) => { setWithFree(e.currentTarget.checked); setStatus('') }} />
            <span>Afficher aussi les créneaux libres</span>
          </label>
          <div class='field'>
            <label for='feed-url'>Adresse de votre agenda{withFree ? ' (avec les créneaux libres)' : ''}</label>
            <div class='feed-url'>
              <input id='feed-url' ref={input} type='text' readOnly value={url} aria-describedby='feed-url-hint'
                onFocus={(e) => e.currentTarget.select()} />
              <button type='button' class='primary' onClick={() => { void copy() }}>Copier</button>
            </div>
            <small id='feed-url-hint' class='hint'>Cette adresse suffit pour lire votre planning : ne la communiquez à personne.</small>
          </div>
          <p class='feed-status' role='status'>{status}</p>
          <div class='pr-actions'>
            <a class='button' href={url.replace(/^https?:/, 'webcal:')}>Ouvrir dans mon agenda</a>
            <button type='button' ref={changeButton} aria-expanded={confirming}
              onClick={() => { setConfirming(!confirming); setStatus('') }}>Changer l’adresse</button>
          </div>
          {confirming && (
            <div class='feed-confirm' role='group' aria-labelledby='feed-confirm-text'>
              <p id='feed-confirm-text'>
                L’adresse actuelle cessera aussitôt de fonctionner : les agendas abonnés n’afficheront plus
                vos réservations tant que vous ne les aurez pas abonnés à la nouvelle adresse. Changez-la si
                elle a pu être vue ou transmise par erreur.
              </p>
              <div class='pr-actions'>
                <button type='button' class='danger' disabled={busy} onClick={() => { void rotate() }}>
                  {busy ? 'Changement…' : 'Oui, changer l’adresse'}
                </button>
                <button type='button' disabled={busy} onClick={() => { setConfirming(false); changeButton.current?.focus() }}>Garder l’adresse actuelle</button>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  )
}
