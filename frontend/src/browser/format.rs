//! Numbers and dates in the reader's locale (through `Intl`).

use wasm_bindgen::JsValue;

/// Formats unix milliseconds in the user's locale.
pub fn format_time(ms: i64, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    date.to_locale_string(lang, &JsValue::UNDEFINED).into()
}

/// `n` in the UI language `lang` ("4,1" in Russian, "4.1" in English),
/// with at most `max_fraction` decimals; `grouping` sets thousands apart
/// ("120 000", "120,000"), which a field to edit must not do.
pub fn format_number(n: f64, lang: &str, max_fraction: u32, grouping: bool) -> String {
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("maximumFractionDigits", JsValue::from(max_fraction));
    set("useGrouping", JsValue::from_bool(grouping));
    intl_format(n, lang, &options)
}

/// A percentage (`percent` out of 100) in the UI language: "4.1%" in
/// English, "4,1 %" in Russian.
pub fn format_percent(percent: f64, lang: &str, max_fraction: u32) -> String {
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("style", JsValue::from_str("percent"));
    set("maximumFractionDigits", JsValue::from(max_fraction));
    intl_format(percent / 100.0, lang, &options)
}

/// A value and its unit: "4.1%", "4,1 %", "11 min" (a word unit always
/// stands apart, with a space that does not break).
pub fn format_with_unit(n: f64, unit: &str, lang: &str) -> String {
    if unit == "%" {
        return format_percent(n, lang, 2);
    }
    let number = format_number(n, lang, 2, true);
    if unit.starts_with(char::is_alphabetic) {
        format!("{number}\u{a0}{unit}")
    } else {
        format!("{number}{unit}")
    }
}

fn intl_format(n: f64, lang: &str, options: &js_sys::Object) -> String {
    let locales = js_sys::Array::of1(&JsValue::from_str(lang));
    let format = js_sys::Intl::NumberFormat::new(&locales, options).format();
    format
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(n))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| n.to_string())
}
