-- Run once by the postgres image on its first start (an empty data volume), as the superuser, in the
-- database POSTGRES_DB (rebound): creates the role the Rebound services log in as. rebound_app is no
-- superuser: it may connect to this database and create schemas in it, so each service's migrations
-- create and own their schema (ledger, analyzer, retry, notifier) and nothing else.
-- The password comes from the container's environment (REBOUND_DB_PASSWORD), never from this file.
\set ON_ERROR_STOP on
\getenv rebound_password REBOUND_DB_PASSWORD
\if :{?rebound_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'REBOUND_DB_PASSWORD is not set: the role rebound_app needs a password'; END $$;
\endif

SELECT format('CREATE ROLE rebound_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'rebound_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rebound_app')
\gexec
SELECT format('ALTER ROLE rebound_app PASSWORD %L', :'rebound_password')
\gexec
\unset rebound_password

SELECT format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO rebound_app', current_database())
\gexec
-- Nothing in the public schema: every service keeps to its own schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
