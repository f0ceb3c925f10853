import { errorMessage } from '../api';
import { useSignOut } from '../hooks/useSignOut';
import { Spinner } from '../components/Spinner';

export function SignOutButton() {
  const signOut = useSignOut();
  const busy = signOut.isPending || signOut.isSuccess;
  return (
    <div className="signout">
      <button id="sign-out" type="button" className="btn btn--secondary btn--sm" onClick={() => signOut.mutate()} disabled={busy}>
        {busy && <Spinner />}
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
      {signOut.isError && (
        <p className="signout__error" role="alert">
          {errorMessage(signOut.error)}
        </p>
      )}
    </div>
  );
}
