//! A JSON object's members in the order written (serde_json's `Value`
//! sorts them): the schema check needs the key order, and text output
//! shows `fields` in call order.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// Members of a JSON object, in order; `V` is the member type
/// (`serde_json::Value`, or `Box<RawValue>` to keep the text as written).
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ordered<V>, D::Error> {
        struct Members<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Members<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered<V>, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, V>()? {
                    v.push((k, val));
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(Members(std::marker::PhantomData))
    }
}

impl<V> Ordered<V> {
    /// The value of member `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}
