-- The tables of a decision log of format 1 (regelwerk before decisions were stored in
-- blocks): one row per decision.
CREATE TABLE rulesets (
    sha256      TEXT PRIMARY KEY,
    ruleset_id  TEXT NOT NULL,
    file        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    text        BLOB NOT NULL,
    first_seen  TEXT NOT NULL
);
CREATE TABLE decisions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    made_at      TEXT NOT NULL,
    decision     TEXT NOT NULL,
    peildatum    TEXT NOT NULL,
    ruleset_id   TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES rulesets(sha256),
    facts        TEXT NOT NULL,
    hashed_facts TEXT NOT NULL,
    outputs      TEXT NOT NULL,
    notes        TEXT NOT NULL,
    engine       TEXT NOT NULL
);
CREATE INDEX decisions_made_at ON decisions(made_at);
CREATE INDEX decisions_decision ON decisions(decision);
PRAGMA application_id = 1381454403;
PRAGMA user_version = 1;
