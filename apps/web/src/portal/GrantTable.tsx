import type { Grant } from '@rolegate/contract';
import { GrantRow } from './GrantRow';

interface Props {
  grants: Grant[];
  accountNames: ReadonlyMap<string, string>;
}

/** Grants as a table; on narrow screens CSS turns each row into a card. */
export function GrantTable({ grants, accountNames }: Props) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="grants-table">
        <caption className="visually-hidden">Your recent grants, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Account</th>
            <th scope="col">Role</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {grants.map((g) => (
            <GrantRow key={g.id} grant={g} accountName={g.accountId ? accountNames.get(g.accountId) : undefined} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
