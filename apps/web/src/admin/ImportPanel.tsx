import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import type { ImportResult } from '@rolegate/contract';
import { MAPPINGS_EXPORT_URL } from '../api';
import { useImportMappings } from '../hooks/useAdmin';
import { ErrorNotice } from '../components/ErrorNotice';
import { Spinner } from '../components/Spinner';
import { ImportDiff } from './ImportDiff';

const MAX_FILE_BYTES = 4_000_000;

/**
 * YAML import in the MAPPINGS_FILE format. "Preview" runs a dry run and shows
 * the diff; "Apply" is offered only for the exact text that was previewed, and
 * the server applies it in one transaction or not at all.
 */
export function ImportPanel({ onClose }: { onClose: () => void }) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [yaml, setYaml] = useState('');
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ text: string; result: ImportResult } | null>(null);
  const [applied, setApplied] = useState<ImportResult | null>(null);
  const run = useImportMappings();

  useEffect(() => heading.current?.focus(), []);

  const previewIsCurrent = preview !== null && preview.text === yaml;

  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    setFileProblem(null);
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setFileProblem('The file is larger than 4 MB.');
      return;
    }
    setYaml(await file.text());
    setApplied(null);
  }

  function doPreview() {
    setApplied(null);
    run.mutate({ yaml, dryRun: true }, { onSuccess: (result) => setPreview({ text: yaml, result }) });
  }

  function doApply() {
    run.mutate(
      { yaml, dryRun: false },
      {
        onSuccess: (result) => {
          setApplied(result);
          setPreview(null);
        },
      },
    );
  }

  const busyPreview = run.isPending && run.variables.dryRun;
  const busyApply = run.isPending && !run.variables.dryRun;

  return (
    <section className="card section" aria-labelledby={`${id}-title`} data-testid="import-panel">
      <header className="section__header">
        <div>
          <h2 id={`${id}-title`} className="section-title" ref={heading} tabIndex={-1}>
            Import mappings from YAML
          </h2>
          <p className="section-lead">
            The file is the whole desired state, in the same format as <span className="mono">MAPPINGS_FILE</span>: mappings not in it are deleted. Preview the
            changes first; nothing changes until you apply.
          </p>
        </div>
        <button type="button" className="btn btn--secondary btn--sm" onClick={onClose}>
          Back to mappings
        </button>
      </header>

      <div className="stack">
        <div className="import-source">
          <label className="btn btn--secondary btn--sm file-button">
            <input
              type="file"
              accept=".yaml,.yml,text/yaml,application/yaml"
              className="visually-hidden"
              onChange={(e) => void readFile(e)}
              data-testid="import-file"
            />
            Choose a file…
          </label>
          <a className="btn btn--link btn--sm" href={MAPPINGS_EXPORT_URL} download="rolegate-mappings.yaml">
            Download the current mappings as a starting point
          </a>
        </div>
        {fileProblem && (
          <p className="field__error" role="alert">
            {fileProblem}
          </p>
        )}
        <div className="field">
          <label className="field__label" htmlFor={`${id}-yaml`}>
            YAML
          </label>
          <textarea
            id={`${id}-yaml`}
            className="input textarea textarea--code"
            rows={12}
            wrap="off"
            spellCheck={false}
            value={yaml}
            onChange={(e) => setYaml(e.target.value)}
            placeholder={
              'accounts:\n  - id: "111111111111"\n    name: sandbox\nmappings:\n  - group: engineers\n    roleArn: arn:aws:iam::111111111111:role/Developer\n    maxDurationSeconds: 3600'
            }
            data-testid="import-yaml"
          />
        </div>

        {run.isError && (
          <ErrorNotice title={run.variables?.dryRun ? 'The file cannot be imported' : 'The import failed; nothing was changed'} error={run.error} />
        )}

        <div className="form-card__footer form-card__footer--start">
          <button type="button" className="btn btn--secondary" onClick={doPreview} disabled={yaml.trim() === '' || run.isPending} data-testid="import-preview">
            {busyPreview && <Spinner />}
            {busyPreview ? 'Checking…' : 'Preview changes'}
          </button>
          <button type="button" className="btn btn--primary" onClick={doApply} disabled={!previewIsCurrent || run.isPending} data-testid="import-apply">
            {busyApply && <Spinner />}
            {busyApply ? 'Applying…' : 'Apply import'}
          </button>
          {preview && !previewIsCurrent && <span className="field__hint">The text changed since the preview: preview again to apply.</span>}
        </div>

        <div aria-live="polite" className="live">
          {previewIsCurrent && (
            <div className="stack">
              <h3 className="subsection-title">Preview (dry run — nothing changed yet)</h3>
              <ImportDiff result={preview.result} />
            </div>
          )}
          {applied && (
            <div className="stack" data-testid="import-applied">
              <p className="notice notice--success" role="status">
                Import applied: {applied.created.length} created, {applied.updated.length} changed, {applied.deleted.length} deleted.
              </p>
              <ImportDiff result={applied} />
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
