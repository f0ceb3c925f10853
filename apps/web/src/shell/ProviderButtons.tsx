import { useState } from 'react';
import { loginUrl, type Provider } from '../api';
import { Spinner } from '../components/Spinner';

function buttonText(p: Provider): string {
  return /^sign in/i.test(p.label) ? p.label : `Sign in with ${p.label}`;
}

/** Sign-in is a full-page navigation to `/auth/login`, returning to this page. */
export function ProviderButtons({ providers }: { providers: Provider[] }) {
  const [chosen, setChosen] = useState<Provider['id'] | null>(null);

  if (providers.length === 0) {
    return (
      <p className="notice notice--info" role="status">
        No identity provider is configured. Ask your Rolegate administrator for help.
      </p>
    );
  }

  function signIn(id: Provider['id']) {
    setChosen(id);
    const returnTo = `${window.location.pathname}${window.location.search}`;
    window.location.assign(loginUrl(id, returnTo));
  }

  return (
    <div className="provider-buttons">
      {providers.map((p, i) => (
        <button
          key={p.id}
          type="button"
          className={`btn btn--block ${i === 0 ? 'btn--primary' : 'btn--secondary'}`}
          data-testid={`sign-in-${p.id}`}
          disabled={chosen !== null}
          onClick={() => signIn(p.id)}
        >
          {chosen === p.id && <Spinner />}
          {chosen === p.id ? 'Redirecting…' : buttonText(p)}
        </button>
      ))}
    </div>
  );
}
