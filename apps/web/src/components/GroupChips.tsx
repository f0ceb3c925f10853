import { useState } from 'react';

const COLLAPSED_COUNT = 4;

/** The user's IdP groups as chips, collapsed when there are many. */
export function GroupChips({ groups }: { groups: string[] }) {
  const [expanded, setExpanded] = useState(false);
  if (groups.length === 0) {
    return <p className="groups groups--none">No groups were sent by your identity provider.</p>;
  }
  const shown = expanded ? groups : groups.slice(0, COLLAPSED_COUNT);
  const hidden = groups.length - shown.length;

  return (
    <div className="groups" data-testid="user-groups">
      <span className="groups__label" id="groups-label">
        Groups
      </span>
      <ul className="groups__list" aria-labelledby="groups-label">
        {shown.map((g) => (
          <li key={g} className="chip">
            {g}
          </li>
        ))}
      </ul>
      {(hidden > 0 || expanded) && groups.length > COLLAPSED_COUNT && (
        <button type="button" className="btn btn--link btn--sm" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show fewer' : `+${hidden} more`}
        </button>
      )}
    </div>
  );
}
