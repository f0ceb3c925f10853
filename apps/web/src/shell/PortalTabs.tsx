import { useRef, type KeyboardEvent } from 'react';
import type { TabId } from '../route';

export interface PortalTabDef {
  id: TabId;
  label: string;
  /** A count shown beside the label (e.g. requests waiting for the user); nothing when 0 or absent. */
  badge?: number;
}

interface Props {
  tabs: readonly PortalTabDef[];
  /** The selected tab; null on a screen that is no tab (not found, no access). */
  value: TabId | null;
  onChange: (tab: TabId) => void;
}

/** WAI-ARIA tabs: arrow keys, Home and End move between tabs. Only the tabs the user's roles allow are passed in. */
export function PortalTabs({ tabs, value, onChange }: Props) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = tabs.findIndex((t) => t.id === value);
    const next =
      event.key === 'ArrowRight'
        ? (current + 1) % tabs.length
        : event.key === 'ArrowLeft'
          ? (current - 1 + tabs.length) % tabs.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? tabs.length - 1
              : -1;
    const tab = tabs[next];
    if (!tab) return;
    event.preventDefault();
    onChange(tab.id);
    refs.current[next]?.focus();
  }

  return (
    <div className="tabs" role="tablist" aria-label="Portal sections" onKeyDown={onKeyDown}>
      {tabs.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          id={`tab-${t.id}`}
          data-testid={`tab-${t.id}`}
          type="button"
          role="tab"
          aria-selected={value === t.id}
          aria-controls={value === t.id ? `panel-${t.id}` : undefined}
          tabIndex={value === t.id || (value === null && i === 0) ? 0 : -1}
          className="tabs__tab"
          onClick={() => onChange(t.id)}
        >
          {t.label}
          {t.badge !== undefined && t.badge > 0 && (
            <span className="tabs__badge" data-testid={`tab-badge-${t.id}`}>
              {t.badge > 99 ? '99+' : t.badge}
              <span className="visually-hidden"> waiting for you</span>
            </span>
          )}
        </button>
      ))}
    </div>
  );
}
