//! # steward-error
//!
//! Owns the one contract every Steward error keeps: a stable, dotted code (`source.not_found`)
//! beside its message for people. Front-ends send errors as `{code, message}`, scripts and the UI
//! match on the code, and the UI's union of codes is generated from every crate's [`ErrorCodes`].
//!
//! It must not depend on anything: every crate depends on it.

/// An error with a stable code.
pub trait ErrorCode: std::error::Error {
    /// The code: `<area>.<what>`, stable across releases.
    fn code(&self) -> &'static str;
}

/// The codes an error type produces itself (not those of errors it wraps).
pub trait ErrorCodes {
    const CODES: &'static [&'static str];
}

/// Declares an error type's codes once: `code()` from its variants, and the list of codes.
///
/// ```ignore
/// steward_error::error_codes!(WorkspaceError {
///     Self::NotFound { .. } => "workspace.not_found",
///     Self::Io { .. } => "workspace.io",
/// });
/// ```
///
/// Variants wrapping another coded error go in a `delegate` block: their codes are that error's.
#[macro_export]
macro_rules! error_codes {
    ($ty:ty { $($p:pat => $c:literal),+ $(,)? } $(delegate { $($dp:pat => $de:expr),+ $(,)? })?) => {
        impl $crate::ErrorCode for $ty {
            fn code(&self) -> &'static str {
                match self {
                    $($p => $c,)+
                    $($($dp => $de,)+)?
                }
            }
        }
        impl $crate::ErrorCodes for $ty {
            const CODES: &'static [&'static str] = &[$($c),+];
        }
    };
}

/// Whether `code` is well formed: lowercase `area.what`, letters, digits and `_`.
pub fn is_code(code: &str) -> bool {
    let mut parts = code.split('.');
    let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if ok(a) && ok(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Demo {
        Gone,
        Bad(String),
        Inner(Box<Demo>),
    }

    impl std::fmt::Display for Demo {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Demo::Bad(why) => f.write_str(why),
                other => write!(f, "{other:?}"),
            }
        }
    }

    impl std::error::Error for Demo {}

    error_codes!(Demo {
        Self::Gone => "demo.gone",
        Self::Bad(_) => "demo.bad",
    } delegate {
        Self::Inner(e) => e.code(),
    });

    #[test]
    fn codes_come_from_variants_and_are_listed_once() {
        assert_eq!(Demo::Gone.code(), "demo.gone");
        assert_eq!(Demo::Bad("x".into()).code(), "demo.bad");
        assert_eq!(Demo::Inner(Box::new(Demo::Gone)).code(), "demo.gone");
        assert_eq!(Demo::CODES, ["demo.gone", "demo.bad"]);
        assert!(Demo::CODES.iter().all(|c| is_code(c)));
        assert!(!is_code("Demo.gone") && !is_code("demo") && !is_code("a.b.c"));
    }
}
