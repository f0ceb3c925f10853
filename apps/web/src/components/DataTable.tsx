import { tableFeatures, useTable, type ColumnDef, type RowData } from '@tanstack/react-table';

/** Plain rendering: sorting and filtering happen on the server (or before the data is passed in). */
export const tableFeaturesNone = tableFeatures({});
const features = tableFeaturesNone;

interface Props<TData extends RowData> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns of any value type
  columns: ColumnDef<typeof features, TData, any>[];
  data: TData[];
  caption: string;
  getRowId: (row: TData) => string;
  testId: string;
  rowTestId?: (row: TData) => string;
  className?: string;
}

/**
 * A semantic table rendered from TanStack Table column definitions. Each cell
 * carries its column header as `data-label`, so on phones CSS turns every row
 * into a labelled card (no inline styles: the CSP forbids them).
 */
export function DataTable<TData extends RowData>({ columns, data, caption, getRowId, testId, rowTestId, className }: Props<TData>) {
  const table = useTable({ features, columns, data, getRowId: (row) => getRowId(row) });

  return (
    <div className="table-wrap">
      <table className={`table ${className ?? ''}`} data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-testid={rowTestId?.(row.original)}>
              {row.getAllCells().map((cell) => {
                const header = cell.column.columnDef.header;
                return (
                  <td key={cell.id} data-label={typeof header === 'string' ? header : ''}>
                    <div>
                      <table.FlexRender cell={cell} />
                    </div>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
