-- Device sign-ins show the approver what they approve (the requesting
-- client's address and user agent, when it started) and are polled at a
-- bounded rate (RFC 8628 slow_down). Status gains 'denied'.
ALTER TABLE "cli_login_requests" ADD COLUMN "client_ip" TEXT;
ALTER TABLE "cli_login_requests" ADD COLUMN "user_agent" TEXT;
ALTER TABLE "cli_login_requests" ADD COLUMN "last_polled_at" TIMESTAMPTZ(3);
