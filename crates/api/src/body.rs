//! The JSON request body extractor for object-shaped bodies.
//!
//! serde's derived `Deserialize` for a struct also accepts a JSON array of the fields in
//! declaration order (`[null, null]` for a patch of two optional fields). The contract
//! says these bodies are objects, so an array (or any other non-object) is refused as a
//! 422 before the handler runs. Bodies that are arrays by contract keep `web::Json`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A request body that must be a JSON object, deserialised into `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body's value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// `T` read only from a JSON object.
#[derive(Debug)]
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = JsonFuture<T>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The framework's extractor keeps the size limit, the content-type check and the
        // problem+json error handler configured in `extract::json_config`.
        JsonFuture(web::Json::<Object<T>>::from_request(req, payload))
    }
}

/// The future of [`Json`]'s extraction.
pub struct JsonFuture<T: DeserializeOwned + 'static>(<web::Json<Object<T>> as FromRequest>::Future);

impl<T: DeserializeOwned + 'static> Future for JsonFuture<T> {
    type Output = Result<Json<T>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The inner future is `Unpin` (actix's JSON extractor boxes its body reader).
        Pin::new(&mut self.get_mut().0)
            .poll(cx)
            .map(|r| r.map(|body| Json(body.into_inner().0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Patch {
        name: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[test]
    fn objects_are_read_and_arrays_refused() {
        let ok: Object<Patch> = serde_json::from_str(r#"{"name":"a","tags":["x"]}"#).unwrap();
        assert_eq!(
            ok.0,
            Patch {
                name: Some("a".into()),
                tags: vec!["x".into()]
            }
        );
        // serde alone takes the array form; the wrapper does not.
        assert!(serde_json::from_str::<Patch>(r#"[null, []]"#).is_ok());
        let err = serde_json::from_str::<Object<Patch>>(r#"[null, []]"#).unwrap_err();
        assert!(err.is_data(), "{err}");
        assert!(err.to_string().contains("expected a JSON object"), "{err}");
        for other in ["null", "1", r#""x""#] {
            assert!(serde_json::from_str::<Object<Patch>>(other).is_err());
        }
        let unknown = serde_json::from_str::<Object<Patch>>(r#"{"nope":1}"#).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown field `nope`"),
            "{unknown}"
        );
    }
}
