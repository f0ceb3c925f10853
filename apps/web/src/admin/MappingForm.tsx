import { useEffect, useId, useRef } from 'react';
import { useForm, type FieldPath } from 'react-hook-form';
import type { AdminAccount, AdminMapping } from '@rolegate/contract';
import { ApiError, errorMessage } from '../api';
import { formatDuration } from '../format';
import { useSaveMapping } from '../hooks/useAdmin';
import { Spinner } from '../components/Spinner';
import { checkGroup, checkMaxHoursMinutes, checkRoleArn, hoursMinutesToSeconds } from './mapping-rules';
import { FieldError } from '../components/FieldError';

interface FormValues {
  group: string;
  roleArn: string;
  accountName: string;
  maxHours: number;
  maxMinutes: number;
  description: string;
  requireReason: boolean;
  enabled: boolean;
  access: 'instant' | 'approval';
  /** One approver group per line (groups match exactly; a comma is part of a name, never a separator). */
  approvers: string;
  approvals: number;
  pendingTimeoutHours: number;
  breakGlass: boolean;
  reviewWithinHours: number;
  extensionsWithoutApproval: number;
}

interface Props {
  /** The mapping to edit; absent for a new one. */
  mapping?: AdminMapping;
  accounts: readonly AdminAccount[];
  onDone: (saved: AdminMapping | null) => void;
}

const FIELDS: readonly FieldPath<FormValues>[] = [
  'group',
  'roleArn',
  'description',
  'requireReason',
  'enabled',
  'access',
  'approvers',
  'approvals',
  'breakGlass',
  'extensionsWithoutApproval',
];

/** A server issue path of the policy (`approvers.0`, `pendingTimeoutSeconds`) → the form field showing it. */
function policyField(path: string): FieldPath<FormValues> | undefined {
  if (path.startsWith('approvers')) return 'approvers';
  if (path === 'pendingTimeoutSeconds') return 'pendingTimeoutHours';
  if (path === 'reviewWithinSeconds') return 'reviewWithinHours';
  return undefined;
}

const linesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** Create or edit a mapping. Every rule is checked at its field before anything is sent; the server's 400 issues land on their fields too. */
export function MappingForm({ mapping, accounts, onDone }: Props) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const save = useSaveMapping();
  const {
    register,
    handleSubmit,
    watch,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<FormValues>({
    mode: 'onTouched',
    defaultValues: {
      group: mapping?.group ?? '',
      roleArn: mapping?.roleArn ?? '',
      accountName: '',
      maxHours: Math.floor((mapping?.maxDurationSeconds ?? 3600) / 3600),
      maxMinutes: Math.floor(((mapping?.maxDurationSeconds ?? 3600) % 3600) / 60),
      description: mapping?.description ?? '',
      requireReason: mapping?.requireReason ?? false,
      enabled: mapping?.enabled ?? true,
      access: mapping?.access ?? 'instant',
      approvers: (mapping?.approvers ?? []).join('\n'),
      approvals: mapping?.approvals ?? 1,
      pendingTimeoutHours: (mapping?.pendingTimeoutSeconds ?? 86400) / 3600,
      breakGlass: mapping?.breakGlass ?? false,
      reviewWithinHours: (mapping?.reviewWithinSeconds ?? 86400) / 3600,
      extensionsWithoutApproval: mapping?.extensionsWithoutApproval ?? 0,
    },
  });

  useEffect(() => heading.current?.focus(), []);

  const arn = checkRoleArn(watch('roleArn'));
  const duration = hoursMinutesToSeconds(watch('maxHours'), watch('maxMinutes'));
  const account = arn.ok ? accounts.find((a) => a.id === arn.parts.accountId) : undefined;
  const newAccountId = arn.ok && !account ? arn.parts.accountId : null;

  async function onSubmit(values: FormValues) {
    const body = {
      group: values.group,
      roleArn: values.roleArn,
      maxDurationSeconds: hoursMinutesToSeconds(values.maxHours, values.maxMinutes),
      description: values.description,
      requireReason: values.requireReason,
      enabled: values.enabled,
      access: values.access,
      // Stages and escalation are edited in the mappings YAML; the form keeps what is there.
      ...(values.access === 'approval'
        ? {
            approvers: mapping?.stages.length ? [] : linesOf(values.approvers),
            approvals: values.approvals,
            pendingTimeoutSeconds: Math.round(values.pendingTimeoutHours * 3600),
            breakGlass: values.breakGlass,
            reviewWithinSeconds: Math.round(values.reviewWithinHours * 3600),
            extensionsWithoutApproval: values.extensionsWithoutApproval,
          }
        : { approvers: [], approvals: 1, stages: [], breakGlass: false, escalateAfterSeconds: null, escalateTo: [], extensionsWithoutApproval: 0 }),
    };
    try {
      const res = await save.mutateAsync({
        ...(mapping ? { id: mapping.id } : {}),
        body,
        ...(newAccountId ? { account: { id: newAccountId, name: values.accountName.trim() } } : {}),
      });
      onDone(res.mapping);
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      let placed = false;
      for (const issue of issues) {
        const field =
          issue.path === 'name'
            ? 'accountName'
            : issue.path === 'maxDurationSeconds'
              ? 'maxHours'
              : (FIELDS.find((f) => f === issue.path) ?? policyField(issue.path));
        if (field) {
          setError(field, { type: 'server', message: issue.message });
          placed = true;
        }
      }
      if (!placed) setError('root.server', { type: 'server', message: errorMessage(err) });
    }
  }

  const describe = (field: keyof FormValues, hint?: boolean) =>
    [hint ? `${id}-${field}-hint` : '', errors[field] ? `${id}-${field}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <form className="card form-card" onSubmit={(e) => void handleSubmit(onSubmit)(e)} noValidate data-testid="mapping-form" aria-labelledby={`${id}-title`}>
      <header className="form-card__header">
        <h2 id={`${id}-title`} className="section-title" ref={heading} tabIndex={-1}>
          {mapping ? 'Edit mapping' : 'New mapping'}
        </h2>
        <p className="section-lead">
          Members of the group can request the role. Changes take effect on their next request and are recorded in the change history.
        </p>
      </header>

      {errors.root?.server && (
        <p className="form-error" role="alert" data-testid="mapping-form-error">
          {errors.root.server.message}
        </p>
      )}

      <div className="form-grid">
        <div className="field">
          <label className="field__label" htmlFor={`${id}-group`}>
            IdP group
          </label>
          <input
            id={`${id}-group`}
            className="input"
            autoComplete="off"
            spellCheck={false}
            data-testid="mapping-group"
            aria-invalid={errors.group ? true : undefined}
            aria-describedby={describe('group', true)}
            {...register('group', { validate: checkGroup })}
          />
          <p id={`${id}-group-hint`} className="field__hint">
            Exactly as the identity provider sends it (case and spaces matter).
          </p>
          <FieldError id={`${id}-group-error`} error={errors.group} />
        </div>

        <div className="field field--wide">
          <label className="field__label" htmlFor={`${id}-roleArn`}>
            Role ARN
          </label>
          <input
            id={`${id}-roleArn`}
            className="input mono"
            autoComplete="off"
            spellCheck={false}
            placeholder="arn:aws:iam::123456789012:role/Developer"
            data-testid="mapping-role-arn"
            aria-invalid={errors.roleArn ? true : undefined}
            aria-describedby={describe('roleArn', true)}
            {...register('roleArn', {
              validate: (v) => {
                const r = checkRoleArn(v);
                return r.ok ? true : r.message;
              },
            })}
          />
          <p id={`${id}-roleArn-hint`} className="field__hint" data-testid="mapping-arn-summary">
            {arn.ok ? (
              <>
                Partition <strong>{arn.parts.partition}</strong> · account <strong className="mono">{arn.parts.accountId}</strong>
                {account ? ` (${account.name})` : ' (new account)'} · path <span className="mono">{arn.parts.path}</span> · role{' '}
                <strong>{arn.parts.roleName}</strong>
              </>
            ) : (
              'arn:aws|aws-us-gov|aws-cn:iam::<12-digit account>:role/[path/]Name'
            )}
          </p>
          <FieldError id={`${id}-roleArn-error`} error={errors.roleArn} />
        </div>

        {newAccountId && (
          <div className="field">
            <label className="field__label" htmlFor={`${id}-accountName`}>
              Name for account {newAccountId}
            </label>
            <input
              id={`${id}-accountName`}
              className="input"
              autoComplete="off"
              placeholder="e.g. production"
              data-testid="mapping-account-name"
              aria-invalid={errors.accountName ? true : undefined}
              aria-describedby={describe('accountName', true)}
              {...register('accountName', {
                validate: (v) =>
                  newAccountId === null || (v.trim().length > 0 && v.trim().length <= 128) ? true : 'Give the new account a name (1–128 characters).',
              })}
            />
            <p id={`${id}-accountName-hint`} className="field__hint">
              This account is new to Rolegate; people see this name in the portal.
            </p>
            <FieldError id={`${id}-accountName-error`} error={errors.accountName} />
          </div>
        )}

        <fieldset className="field field--duration" aria-describedby={describe('maxHours', true)}>
          <legend className="field__label">Maximum session</legend>
          <div className="duration-inputs">
            <label htmlFor={`${id}-max-hours`}>
              <input
                id={`${id}-max-hours`}
                className="input input--short"
                type="number"
                inputMode="numeric"
                min={0}
                max={12}
                step={1}
                aria-label="Maximum session, hours"
                data-testid="mapping-max-hours"
                aria-invalid={errors.maxHours ? true : undefined}
                {...register('maxHours', {
                  valueAsNumber: true,
                  validate: (h, all) => checkMaxHoursMinutes(h, all.maxMinutes),
                  deps: ['maxMinutes'],
                })}
              />{' '}
              h
            </label>
            <label htmlFor={`${id}-max-minutes`}>
              <input
                id={`${id}-max-minutes`}
                className="input input--short"
                type="number"
                inputMode="numeric"
                min={0}
                max={59}
                step={1}
                aria-label="Maximum session, minutes"
                data-testid="mapping-max-minutes"
                aria-invalid={errors.maxHours ? true : undefined}
                {...register('maxMinutes', { valueAsNumber: true, deps: ['maxHours'] })}
              />{' '}
              min
            </label>
          </div>
          <p id={`${id}-maxHours-hint`} className="field__hint">
            {checkMaxHoursMinutes(watch('maxHours'), watch('maxMinutes')) === true ? `= ${formatDuration(duration)} (${duration} s). ` : ''}
            15 min to 12 h; stored in seconds.
          </p>
          <FieldError id={`${id}-maxHours-error`} error={errors.maxHours} />
        </fieldset>

        <div className="field field--wide">
          <label className="field__label" htmlFor={`${id}-description`}>
            Description <span className="field__required">(optional)</span>
          </label>
          <textarea
            id={`${id}-description`}
            className="input textarea"
            rows={2}
            data-testid="mapping-description"
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={describe('description')}
            {...register('description', { maxLength: { value: 1000, message: 'At most 1000 characters.' } })}
          />
          <FieldError id={`${id}-description-error`} error={errors.description} />
        </div>

        <div className="field field--wide checks">
          <label className="check">
            <input type="checkbox" data-testid="mapping-require-reason" {...register('requireReason')} />
            <span>
              <strong>Require a reason</strong>
              <span className="check__hint">People must say why before they get the role; the reason is recorded with the grant.</span>
            </span>
          </label>
          <label className="check">
            <input type="checkbox" data-testid="mapping-enabled" {...register('enabled')} />
            <span>
              <strong>Enabled</strong>
              <span className="check__hint">A disabled mapping stays in the list but grants nothing.</span>
            </span>
          </label>
        </div>
      </div>

      <fieldset className="field field--wide" data-testid="mapping-policy">
        <legend className="field__label">Access</legend>
        <div className="checks">
          <label className="check">
            <input type="radio" value="instant" data-testid="mapping-access-instant" {...register('access')} />
            <span>
              <strong>Instant</strong>
              <span className="check__hint">Members get a session whenever they ask.</span>
            </span>
          </label>
          <label className="check">
            <input type="radio" value="approval" data-testid="mapping-access-approval" {...register('access')} />
            <span>
              <strong>Needs approval</strong>
              <span className="check__hint">Members request access; approvers open a time-limited window that bounds every session.</span>
            </span>
          </label>
        </div>
        {watch('access') === 'approval' && (
          <div className="form-grid">
            {mapping && mapping.stages.length > 0 ? (
              <p className="field__hint field--wide">This mapping has {mapping.stages.length} approval stages; edit them in the mappings YAML.</p>
            ) : (
              <div className="field">
                <label className="field__label" htmlFor={`${id}-approvers`}>
                  Approver groups <span className="field__required">(one per line)</span>
                </label>
                <textarea
                  id={`${id}-approvers`}
                  className="input textarea"
                  rows={2}
                  data-testid="mapping-approvers"
                  aria-invalid={errors.approvers ? true : undefined}
                  aria-describedby={describe('approvers')}
                  {...register('approvers', {
                    validate: (v, all) => all.access !== 'approval' || linesOf(v).length > 0 || 'Name at least one approver group.',
                  })}
                />
                <FieldError id={`${id}-approvers-error`} error={errors.approvers} />
              </div>
            )}
            <div className="field">
              <label className="field__label" htmlFor={`${id}-approvals`}>
                Approvals needed (distinct people)
              </label>
              <input
                id={`${id}-approvals`}
                className="input input--short"
                type="number"
                min={1}
                max={10}
                step={1}
                data-testid="mapping-approvals"
                {...register('approvals', { valueAsNumber: true })}
              />
              <FieldError id={`${id}-approvals-error`} error={errors.approvals} />
            </div>
            <div className="field">
              <label className="field__label" htmlFor={`${id}-pending`}>
                Pending requests expire after (hours)
              </label>
              <input
                id={`${id}-pending`}
                className="input input--short"
                type="number"
                min={0.1}
                max={720}
                step="any"
                data-testid="mapping-pending-hours"
                {...register('pendingTimeoutHours', { valueAsNumber: true })}
              />
              <FieldError id={`${id}-pendingTimeoutHours-error`} error={errors.pendingTimeoutHours} />
            </div>
            <div className="field">
              <label className="field__label" htmlFor={`${id}-free-extensions`}>
                Extensions without approval (per window)
              </label>
              <input
                id={`${id}-free-extensions`}
                className="input input--short"
                type="number"
                min={0}
                max={10}
                step={1}
                data-testid="mapping-free-extensions"
                aria-invalid={errors.extensionsWithoutApproval ? true : undefined}
                aria-describedby={errors.extensionsWithoutApproval ? `${id}-extensionsWithoutApproval-error` : undefined}
                {...register('extensionsWithoutApproval', {
                  valueAsNumber: true,
                  validate: (v) => (Number.isInteger(v) && v >= 0 && v <= 10) || 'A whole number from 0 to 10.',
                })}
              />
              <FieldError id={`${id}-extensionsWithoutApproval-error`} error={errors.extensionsWithoutApproval} />
            </div>
            <label className="check">
              <input type="checkbox" data-testid="mapping-break-glass" {...register('breakGlass')} />
              <span>
                <strong>Break-glass</strong>
                <span className="check__hint">A member may skip approval with a reason; approvers are told and an admin must review it.</span>
              </span>
            </label>
            {watch('breakGlass') && (
              <div className="field">
                <label className="field__label" htmlFor={`${id}-review`}>
                  Review within (hours)
                </label>
                <input
                  id={`${id}-review`}
                  className="input input--short"
                  type="number"
                  min={0.1}
                  max={720}
                  step="any"
                  data-testid="mapping-review-hours"
                  {...register('reviewWithinHours', { valueAsNumber: true })}
                />
                <FieldError id={`${id}-reviewWithinHours-error`} error={errors.reviewWithinHours} />
              </div>
            )}
          </div>
        )}
      </fieldset>

      <div className="form-card__footer">
        <button type="button" className="btn btn--secondary" onClick={() => onDone(null)} disabled={isSubmitting}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={isSubmitting} data-testid="mapping-save">
          {isSubmitting && <Spinner />}
          {isSubmitting ? 'Saving…' : mapping ? 'Save changes' : 'Create mapping'}
        </button>
      </div>
    </form>
  );
}
