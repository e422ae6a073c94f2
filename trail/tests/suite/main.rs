//! Integration tests of ddbsse-trail.
