-- Plain vs day-partitioned system_logs (docs/postgres.md, "Time-partitioned tables"):
-- psql postgres://USER@HOST/DB -f logger-read/benches/sql/partitioning.sql
\timing on
DROP SCHEMA IF EXISTS p CASCADE; CREATE SCHEMA p;
CREATE TABLE p.plain (id BIGSERIAL PRIMARY KEY, service VARCHAR(50) NOT NULL, level VARCHAR(20) NOT NULL, message TEXT NOT NULL, data JSONB, correlation_id VARCHAR(100), event_type VARCHAR(50), timestamp TIMESTAMPTZ DEFAULT now());
CREATE INDEX ON p.plain(timestamp); CREATE INDEX ON p.plain(service); CREATE INDEX ON p.plain(level); CREATE INDEX ON p.plain(correlation_id); CREATE INDEX ON p.plain(event_type); CREATE INDEX ON p.plain(service, timestamp);
CREATE TABLE p.part (id BIGSERIAL, service VARCHAR(50) NOT NULL, level VARCHAR(20) NOT NULL, message TEXT NOT NULL, data JSONB, correlation_id VARCHAR(100), event_type VARCHAR(50), timestamp TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (id, timestamp)) PARTITION BY RANGE (timestamp);
CREATE INDEX ON p.part(timestamp); CREATE INDEX ON p.part(service); CREATE INDEX ON p.part(level); CREATE INDEX ON p.part(correlation_id); CREATE INDEX ON p.part(event_type); CREATE INDEX ON p.part(service, timestamp);
SELECT format('CREATE TABLE p.part_%s PARTITION OF p.part FOR VALUES FROM (%L) TO (%L)', to_char(d,'YYYYMMDD'), d, d + interval '1 day') FROM generate_series(date '2026-10-01', date '2026-11-30', interval '1 day') d \gexec
-- 30 days of history: 20k rows a day, loaded day by day (600k rows)
\echo plain load
INSERT INTO p.plain (service, level, message, data, correlation_id, event_type, timestamp) SELECT 'svc' || (i % 7), (ARRAY['INFO','DEBUG','WARNING','ERROR'])[1 + i % 4], 'message ' || i, jsonb_build_object('ts', i, 'fields', jsonb_build_object('seq', i, 'qty', i % 100)), 'trade-' || (i / 3), 'log', timestamptz '2026-10-01' + (i * interval '129.6 ms') FROM generate_series(1, 600000) i;
\echo partitioned load
INSERT INTO p.part (service, level, message, data, correlation_id, event_type, timestamp) SELECT 'svc' || (i % 7), (ARRAY['INFO','DEBUG','WARNING','ERROR'])[1 + i % 4], 'message ' || i, jsonb_build_object('ts', i, 'fields', jsonb_build_object('seq', i, 'qty', i % 100)), 'trade-' || (i / 3), 'log', timestamptz '2026-10-01' + (i * interval '129.6 ms') FROM generate_series(1, 600000) i;
\echo retention of one day: DELETE vs DROP partition
DELETE FROM p.plain WHERE timestamp < timestamptz '2026-10-02';
DROP TABLE p.part_20261001;
\echo a fresh day on top of 29 days of rows: 20k rows
INSERT INTO p.plain (service, level, message, data, correlation_id, event_type, timestamp) SELECT 'svc' || (i % 7), 'INFO', 'message ' || i, jsonb_build_object('seq', i), 'trade-' || (i / 3), 'log', timestamptz '2026-11-29' + (i * interval '1 ms') FROM generate_series(1, 20000) i;
INSERT INTO p.part (service, level, message, data, correlation_id, event_type, timestamp) SELECT 'svc' || (i % 7), 'INFO', 'message ' || i, jsonb_build_object('seq', i), 'trade-' || (i / 3), 'log', timestamptz '2026-11-29' + (i * interval '1 ms') FROM generate_series(1, 20000) i;
DROP SCHEMA p CASCADE;
