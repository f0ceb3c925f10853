import { useEffect, useId } from 'react';
import { useForm } from 'react-hook-form';
import { isAccountId, ROLE_ARN_OUTLINE, ROLE_NAME_PATTERN } from '@rolegate/aws-names';
import type { GrantKind, GrantStatus } from '@rolegate/contract';
import { FieldError } from '../components/FieldError';
import { EMPTY_FILTERS, type FilterValues } from './filters';

// Listed here rather than read from the contract's zod enums, so the web bundle does not carry zod.
const STATUSES: readonly GrantStatus[] = ['issued', 'denied', 'failed', 'pending', 'revoked'];
const KINDS: readonly GrantKind[] = ['console', 'cli'];
const REQUEST_STATUSES = ['approved', 'ended', 'revoked', 'expired', 'cancelled', 'denied'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Props {
  values: FilterValues;
  onApply: (values: FilterValues) => void;
}

/** The auditor's filters. Invalid values are caught at their field; applying updates the URL and the list. */
export function AuditFilterForm({ values, onApply }: Props) {
  const id = useId();
  const {
    register,
    handleSubmit,
    reset,
    getValues,
    formState: { errors },
  } = useForm<FilterValues>({ mode: 'onTouched', defaultValues: values });

  // Back/forward changes the URL: show its filters.
  useEffect(() => reset(values), [values, reset]);

  const field = (name: keyof FilterValues) => ({
    id: `${id}-${name}`,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${id}-${name}-error` : undefined,
  });

  return (
    <form className="filters" onSubmit={(e) => void handleSubmit(onApply)(e)} noValidate role="search" aria-label="Filter grants" data-testid="audit-filters">
      <div className="filters__grid">
        <div className="field filters__user">
          <label className="field__label" htmlFor={`${id}-user`}>
            User (email or user id, exact)
          </label>
          <input
            className="input"
            type="text"
            inputMode="email"
            autoComplete="off"
            spellCheck={false}
            placeholder="alice@example.com"
            data-testid="filter-user"
            {...field('user')}
            {...register('user', { validate: (v) => (v.length > 320 ? 'At most 320 characters.' : true) })}
          />
          <FieldError id={`${id}-user-error`} error={errors.user} />
        </div>
        <div className="field filters__account">
          <label className="field__label" htmlFor={`${id}-accountId`}>
            Account ID
          </label>
          <input
            className="input mono"
            inputMode="numeric"
            autoComplete="off"
            placeholder="123456789012"
            data-testid="filter-account"
            {...field('accountId')}
            {...register('accountId', { validate: (v) => (v === '' || isAccountId(v.trim()) ? true : 'An account ID is exactly 12 digits.') })}
          />
          <FieldError id={`${id}-accountId-error`} error={errors.accountId} />
        </div>
        <div className="field filters__role">
          <label className="field__label" htmlFor={`${id}-role`}>
            Role name or ARN
          </label>
          <input
            className="input mono"
            autoComplete="off"
            spellCheck={false}
            placeholder="Developer or arn:aws:iam::123456789012:role/Name"
            data-testid="filter-role"
            {...field('role')}
            {...register('role', {
              validate: (v) =>
                v === '' || ROLE_ARN_OUTLINE.test(v.trim()) || ROLE_NAME_PATTERN.test(v.trim())
                  ? true
                  : 'Enter a role name (every account) or a full role ARN: arn:aws:iam::123456789012:role/Name.',
            })}
          />
          <FieldError id={`${id}-role-error`} error={errors.role} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-status`}>
            Status
          </label>
          <select className="select" data-testid="filter-status" {...field('status')} {...register('status')}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-kind`}>
            Kind
          </label>
          <select className="select" data-testid="filter-kind" {...field('kind')} {...register('kind')}>
            <option value="">Any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k === 'cli' ? 'CLI' : 'Console'}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-requestId`}>
            Request id
          </label>
          <input
            className="input mono"
            data-testid="filter-request-id"
            spellCheck={false}
            autoComplete="off"
            {...field('requestId')}
            {...register('requestId', { validate: (v) => v.trim() === '' || UUID.test(v.trim()) || 'Enter a request id (a UUID, as shown on the request).' })}
          />
          <FieldError id={`${id}-requestId-error`} error={errors.requestId} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-requestStatus`}>
            Request status
          </label>
          <select className="select" data-testid="filter-request-status" {...field('requestStatus')} {...register('requestStatus')}>
            <option value="">Any</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-fromDate`}>
            From (day)
          </label>
          <input className="input" type="date" data-testid="filter-from" {...field('fromDate')} {...register('fromDate', { deps: ['toDate'] })} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-toDate`}>
            To (day, inclusive)
          </label>
          <input
            className="input"
            type="date"
            data-testid="filter-to"
            {...field('toDate')}
            {...register('toDate', {
              validate: (v) => {
                const from = getValues('fromDate');
                return v === '' || from === '' || v >= from ? true : '“To” must not be before “From”.';
              },
            })}
          />
          <FieldError id={`${id}-toDate-error`} error={errors.toDate} />
        </div>
      </div>
      <div className="filters__actions">
        <button type="submit" className="btn btn--primary" data-testid="filter-apply">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn--secondary"
          onClick={() => {
            reset(EMPTY_FILTERS);
            onApply(EMPTY_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
