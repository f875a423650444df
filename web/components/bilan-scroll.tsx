/**
 * A table wider than the screen scrolls sideways inside its frame: this says so (on a phone a
 * cut-off table looks complete), and says when the end is reached.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

export function ScrollFrame (props: { class: string, labelledBy: string, children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null)
  const [state, setState] = useState<'fits' | 'more' | 'end'>('fits')
  useEffect(() => {
    const el = ref.current
    if (el === null) return
    const check = (): void => {
      if (el.scrollWidth <= el.clientWidth + 1) setState('fits')
      else setState(el.scrollLeft + el.clientWidth >= el.scrollWidth - 2 ? 'end' : 'more')
    }
    check()
    el.addEventListener('scroll', check, { passive: true })
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(check)
    ro?.observe(el)
    return () => { el.removeEventListener('scroll', check); ro?.disconnect() }
  }, [])
  return (
    <>
      {state !== 'fits' && (
        <p class={'bl-scroll-hint' + (state === 'end' ? ' is-end' : '')} id={props.labelledBy + '-scroll'}>
          {state === 'more' ? 'Tableau plus large que l’écran : faites-le glisser vers la gauche pour voir les autres colonnes →' : '← Fin du tableau : faites-le glisser vers la droite pour revenir au début.'}
        </p>
      )}
      <div ref={ref} class={props.class} role='region' aria-labelledby={props.labelledBy} tabIndex={0}
        aria-describedby={state !== 'fits' ? props.labelledBy + '-scroll' : undefined}>
        {props.children}
      </div>
    </>
  )
}
