-- Several streams' events read in one round trip, each from its own version on: a command
-- reads its loan, then the loan's fund, assets and scheme; a bank reads one loan. Sent as an
-- ad-hoc query, the lateral join over `events` was parsed and planned again on every call
-- (two thirds of the server's time for that query, measured with log_min_duration_statement);
-- inside a function its plan is kept by the session that runs it, and the call itself costs
-- little to parse. At most `page` events a stream; the caller reads on from the last.
--
-- It runs with the caller's own privileges (SELECT on events) and names its tables without a
-- schema, so it lets no one read more than they could: pledger_app, and the finance office's
-- and auditors' roles, which read events already (a `pledger` command run as one of them
-- reads streams through it).
CREATE FUNCTION pledger_stream_events(wanted_streams text[], from_versions integer[], page integer)
RETURNS TABLE (
    ev_position bigint, ev_stream text, ev_version integer, ev_event_id uuid, ev_type text, ev_schema integer,
    ev_data text, ev_meta text, ev_recorded_us bigint, ev_prev_hash bytea, ev_hash bytea)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT e.position, e.stream, e.version, e.event_id, e.type, e.schema, e.data, e.meta,
           (extract(epoch FROM e.recorded_at) * 1000000)::bigint, e.prev_hash, e.hash
    FROM unnest(wanted_streams, from_versions) WITH ORDINALITY AS w(stream, version, n)
    CROSS JOIN LATERAL (
        SELECT * FROM events
        WHERE events.stream = w.stream AND events.version >= w.version
        ORDER BY events.version LIMIT page
    ) e
    ORDER BY w.n, e.version;
END;
$$;

REVOKE ALL ON FUNCTION pledger_stream_events FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pledger_stream_events TO pledger_app, pledger_readonly, pledger_auditor;
