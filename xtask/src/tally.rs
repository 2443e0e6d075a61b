//! Counts what each test level ran, from its runner's own summary lines, so that
//! a level that ran nothing fails the whole run instead of passing quietly.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Native,
    /// The server's tests again, on PostgreSQL instead of SQLite.
    NativePostgres,
    Browser,
    EndToEnd,
    /// schemathesis against the OpenAPI document: one test per run.
    Api,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Native => "native (core, server, xtask)",
            Level::NativePostgres => "native (server on PostgreSQL)",
            Level::Browser => "browser (wasm-bindgen-test, headless Chromium)",
            Level::EndToEnd => "end-to-end (PWA + server, Chromium)",
            Level::Api => "API document (schemathesis, every check)",
        }
    }
}

#[derive(Debug, Default)]
pub struct Tally {
    rows: Vec<(Level, bool, Counts)>,
    /// Checks that run no tests (formatting, lints): only pass or fail.
    checks: Vec<(&'static str, bool)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

/// Sums cargo's `test result: ok. N passed; M failed; ...` lines (also printed by
/// wasm-bindgen-test-runner) and node's TAP `# pass N` / `# fail N`.
pub fn count(output: &str) -> Counts {
    let mut c = Counts::default();
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(what)) = (words.next(), words.next()) {
                    if let Ok(n) = n.parse::<u64>() {
                        match what {
                            "passed" => c.passed += n,
                            "failed" => c.failed += n,
                            _ => {}
                        }
                    }
                }
            }
        } else if let Some(n) = line.strip_prefix("# pass ") {
            c.passed += n.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            c.failed += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
    c
}

impl Tally {
    pub fn record(&mut self, level: Level, exit_ok: bool, output: &str) {
        self.rows.push((level, exit_ok, count(output)));
    }

    /// A level whose runs are its tests (each passed or found something).
    pub fn record_runs(&mut self, level: Level, runs: &[bool]) {
        let passed = runs.iter().filter(|ok| **ok).count() as u64;
        let counts = Counts { passed, failed: runs.len() as u64 - passed };
        self.rows.push((level, counts.failed == 0, counts));
    }

    pub fn check(&mut self, name: &'static str, ok: bool) {
        self.checks.push((name, ok));
    }

    pub fn totals(&self) -> (u64, u64) {
        self.rows.iter().fold((0, 0), |(p, f), (_, _, c)| (p + c.passed, f + c.failed))
    }

    /// Why the run as a whole fails, if it does.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> =
            self.checks.iter().filter(|(_, ok)| !ok).map(|(name, _)| format!("{name} failed")).collect();
        for (level, exit_ok, c) in &self.rows {
            if !exit_ok {
                problems.push(format!("{} failed", level.name()));
            } else if c.failed > 0 {
                problems.push(format!("{} reported {} failures", level.name(), c.failed));
            } else if c.passed == 0 {
                problems.push(format!("{} ran no test", level.name()));
            }
        }
        problems
    }

    pub fn table(&self) -> String {
        let mut s = String::from("\n| level | passed | failed | exit |\n|---|---:|---:|---|\n");
        for (level, exit_ok, c) in &self.rows {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                level.name(),
                c.passed,
                c.failed,
                if *exit_ok { "ok" } else { "FAILED" }
            ));
        }
        for (name, ok) in &self.checks {
            s.push_str(&format!("| {name} | | | {} |\n", if *ok { "ok" } else { "FAILED" }));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_and_tap_summaries() {
        let out = "test a ... ok\ntest result: ok. 21 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 2.11s\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored\n# tests 4\n# pass 3\n# fail 1\n";
        assert_eq!(count(out), Counts { passed: 27, failed: 3 });
    }

    #[test]
    fn a_level_that_ran_nothing_or_failed_is_a_problem() {
        let mut t = Tally::default();
        t.record(Level::Native, true, "test result: ok. 0 passed; 0 failed;");
        t.record(Level::Browser, false, "test result: ok. 2 passed; 0 failed;");
        t.record(Level::EndToEnd, true, "# pass 1\n# fail 0\n");
        let problems = t.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("ran no test"));
        assert!(problems[1].contains("failed"));
        assert_eq!(t.totals(), (3, 0));
    }

    #[test]
    fn a_failed_check_fails_the_run_and_a_passed_one_does_not() {
        let mut t = Tally::default();
        t.record(Level::Native, true, "test result: ok. 5 passed; 0 failed;");
        t.check("clippy", true);
        assert!(t.problems().is_empty());
        t.check("rustfmt", false);
        assert_eq!(t.problems(), vec!["rustfmt failed".to_owned()]);
        assert!(t.table().contains("| rustfmt | | | FAILED |"), "{}", t.table());
    }
}
