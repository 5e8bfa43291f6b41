//! Times as people and files read them, in one place: the CLI, exports, the match report and the
//! UI show a stored Unix-nanosecond time the same way.
//!
//! Stored times are UTC Unix nanoseconds ([`crate::store::writer::now_ns`]); these functions
//! only render them, so they are pure and never fail (every `i64` is a valid instant).

/// RFC 3339 in UTC with microseconds (`2026-03-14T09:26:53.589793Z`): exports, the report's
/// header, `courtside matches` and the slow-operations list. Microseconds keep datagrams that
/// arrive in the same millisecond apart and in order.
pub fn rfc3339_utc(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Date and time to the second in UTC, labelled (`2026-03-14 09:26:53 UTC`): log lines that a
/// person compares with a clock.
pub fn utc_seconds(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        // Unreachable for an i64 of nanoseconds (±292 years); the raw number beats a panic.
        || ns.to_string(),
        |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-14 09:26:53.589793238 UTC.
    const PI_DAY: i64 = 1_773_480_413_589_793_238;

    #[test]
    fn rfc3339_keeps_microseconds_in_utc() {
        assert_eq!(rfc3339_utc(PI_DAY), "2026-03-14T09:26:53.589793Z");
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00.000000Z");
        // Before 1970 (a wrong PC clock) still renders, rounded towards the past.
        assert_eq!(rfc3339_utc(-1_000), "1969-12-31T23:59:59.999999Z");
    }

    #[test]
    fn utc_seconds_drops_the_fraction_and_names_the_zone() {
        assert_eq!(utc_seconds(PI_DAY), "2026-03-14 09:26:53 UTC");
        assert_eq!(utc_seconds(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(utc_seconds(i64::MIN), "1677-09-21 00:12:43 UTC");
    }
}
