//! The reviewed IOC code table: every National Olympic Committee code (206) plus the team codes
//! taekwondo events use for athletes without a national flag (IOC team codes, and `WT` for
//! athletes entered under World Taekwondo).
//!
//! IOC codes are not ISO 3166-1 alpha-3 (CRO/HRV, SLO/SVN, GER/DEU, NED/NLD, SUI/CHE, KUW/KWT …),
//! and one ISO alpha-3 code is another country's IOC code (`BRN` is Brunei in ISO, Bahrain at the
//! IOC). So a code is looked up here by IOC code only; ISO alpha-3 is kept to *suggest* a mapping,
//! never applied silently. Reviewed against Debian `iso-codes` (ISO pairs) and the IOC list
//! (Nov 2026). Names are the IOC's.

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// IOC code (upper case), as the scoring system sends it (three letters; `WT` has two).
    pub ioc: &'static str,
    /// ISO 3166-1 alpha-2 (lower case) of the territory; `None` for teams without a country.
    pub iso2: Option<&'static str>,
    /// ISO 3166-1 alpha-3, for mapping suggestions; `None` where ISO assigns none (Kosovo).
    pub iso3: Option<&'static str>,
    /// Name as the IOC writes it.
    pub name: &'static str,
    /// Built-in image, a path under `flags/` without `.svg` (see [`super::builtin`]).
    pub asset: &'static str,
}

impl Country {
    /// True when the built-in image is a courtside placeholder, not a real flag.
    pub fn is_placeholder(&self) -> bool {
        self.asset.starts_with("placeholder/")
    }

    /// True for a National Olympic Committee (a country or territory), false for team codes.
    pub fn is_noc(&self) -> bool {
        self.iso2.is_some()
    }
}

/// Placeholder for neutral / independent athletes (no licensed flag exists).
pub const NEUTRAL: &str = "placeholder/neutral";
/// Placeholder for refugee teams (their emblem is not licensed for redistribution here).
pub const REFUGEE: &str = "placeholder/refugee";
/// Placeholder for athletes entered under World Taekwondo (`WT`: its refugee team and
/// WT-affiliated athletes); WT's emblem is not licensed for redistribution here.
pub const WORLD_TAEKWONDO: &str = "placeholder/wt";
/// Placeholder shown where the right flag is not bundled (Chinese Taipei: its Olympic flag is not
/// in `flag-icons`, and the `tw` flag is not what it competes under).
pub const NO_FLAG: &str = "placeholder/noflag";

const fn c(
    ioc: &'static str,
    iso2: Option<&'static str>,
    iso3: Option<&'static str>,
    name: &'static str,
    asset: &'static str,
) -> Country {
    Country {
        ioc,
        iso2,
        iso3,
        name,
        asset,
    }
}

/// The table, sorted by IOC code (binary-searched; a test keeps it sorted).
#[rustfmt::skip] // one row per line, for review
pub static COUNTRIES: &[Country] = &[
    c("AFG", Some("af"), Some("AFG"), "Afghanistan", "flag-icons/af"),
    c("AIN", None, None, "Individual Neutral Athletes", NEUTRAL),
    c("ALB", Some("al"), Some("ALB"), "Albania", "flag-icons/al"),
    c("ALG", Some("dz"), Some("DZA"), "Algeria", "flag-icons/dz"),
    c("AND", Some("ad"), Some("AND"), "Andorra", "flag-icons/ad"),
    c("ANG", Some("ao"), Some("AGO"), "Angola", "flag-icons/ao"),
    c("ANT", Some("ag"), Some("ATG"), "Antigua and Barbuda", "flag-icons/ag"),
    c("ARG", Some("ar"), Some("ARG"), "Argentina", "flag-icons/ar"),
    c("ARM", Some("am"), Some("ARM"), "Armenia", "flag-icons/am"),
    c("ARU", Some("aw"), Some("ABW"), "Aruba", "flag-icons/aw"),
    c("ASA", Some("as"), Some("ASM"), "American Samoa", "flag-icons/as"),
    c("AUS", Some("au"), Some("AUS"), "Australia", "flag-icons/au"),
    c("AUT", Some("at"), Some("AUT"), "Austria", "flag-icons/at"),
    c("AZE", Some("az"), Some("AZE"), "Azerbaijan", "flag-icons/az"),
    c("BAH", Some("bs"), Some("BHS"), "Bahamas", "flag-icons/bs"),
    c("BAN", Some("bd"), Some("BGD"), "Bangladesh", "flag-icons/bd"),
    c("BAR", Some("bb"), Some("BRB"), "Barbados", "flag-icons/bb"),
    c("BDI", Some("bi"), Some("BDI"), "Burundi", "flag-icons/bi"),
    c("BEL", Some("be"), Some("BEL"), "Belgium", "flag-icons/be"),
    c("BEN", Some("bj"), Some("BEN"), "Benin", "flag-icons/bj"),
    c("BER", Some("bm"), Some("BMU"), "Bermuda", "flag-icons/bm"),
    c("BHU", Some("bt"), Some("BTN"), "Bhutan", "flag-icons/bt"),
    c("BIH", Some("ba"), Some("BIH"), "Bosnia and Herzegovina", "flag-icons/ba"),
    c("BIZ", Some("bz"), Some("BLZ"), "Belize", "flag-icons/bz"),
    c("BLR", Some("by"), Some("BLR"), "Belarus", "flag-icons/by"),
    c("BOL", Some("bo"), Some("BOL"), "Bolivia", "flag-icons/bo"),
    c("BOT", Some("bw"), Some("BWA"), "Botswana", "flag-icons/bw"),
    c("BRA", Some("br"), Some("BRA"), "Brazil", "flag-icons/br"),
    c("BRN", Some("bh"), Some("BHR"), "Bahrain", "flag-icons/bh"),
    c("BRU", Some("bn"), Some("BRN"), "Brunei Darussalam", "flag-icons/bn"),
    c("BUL", Some("bg"), Some("BGR"), "Bulgaria", "flag-icons/bg"),
    c("BUR", Some("bf"), Some("BFA"), "Burkina Faso", "flag-icons/bf"),
    c("CAF", Some("cf"), Some("CAF"), "Central African Republic", "flag-icons/cf"),
    c("CAM", Some("kh"), Some("KHM"), "Cambodia", "flag-icons/kh"),
    c("CAN", Some("ca"), Some("CAN"), "Canada", "flag-icons/ca"),
    c("CAY", Some("ky"), Some("CYM"), "Cayman Islands", "flag-icons/ky"),
    c("CGO", Some("cg"), Some("COG"), "Congo", "flag-icons/cg"),
    c("CHA", Some("td"), Some("TCD"), "Chad", "flag-icons/td"),
    c("CHI", Some("cl"), Some("CHL"), "Chile", "flag-icons/cl"),
    c("CHN", Some("cn"), Some("CHN"), "People's Republic of China", "flag-icons/cn"),
    c("CIV", Some("ci"), Some("CIV"), "Côte d'Ivoire", "flag-icons/ci"),
    c("CMR", Some("cm"), Some("CMR"), "Cameroon", "flag-icons/cm"),
    c("COD", Some("cd"), Some("COD"), "Democratic Republic of the Congo", "flag-icons/cd"),
    c("COK", Some("ck"), Some("COK"), "Cook Islands", "flag-icons/ck"),
    c("COL", Some("co"), Some("COL"), "Colombia", "flag-icons/co"),
    c("COM", Some("km"), Some("COM"), "Comoros", "flag-icons/km"),
    c("CPV", Some("cv"), Some("CPV"), "Cabo Verde", "flag-icons/cv"),
    c("CRC", Some("cr"), Some("CRI"), "Costa Rica", "flag-icons/cr"),
    c("CRO", Some("hr"), Some("HRV"), "Croatia", "flag-icons/hr"),
    c("CUB", Some("cu"), Some("CUB"), "Cuba", "flag-icons/cu"),
    c("CYP", Some("cy"), Some("CYP"), "Cyprus", "flag-icons/cy"),
    c("CZE", Some("cz"), Some("CZE"), "Czechia", "flag-icons/cz"),
    c("DEN", Some("dk"), Some("DNK"), "Denmark", "flag-icons/dk"),
    c("DJI", Some("dj"), Some("DJI"), "Djibouti", "flag-icons/dj"),
    c("DMA", Some("dm"), Some("DMA"), "Dominica", "flag-icons/dm"),
    c("DOM", Some("do"), Some("DOM"), "Dominican Republic", "flag-icons/do"),
    c("ECU", Some("ec"), Some("ECU"), "Ecuador", "flag-icons/ec"),
    c("EGY", Some("eg"), Some("EGY"), "Egypt", "flag-icons/eg"),
    c("EOR", None, None, "Refugee Olympic Team", REFUGEE),
    c("ERI", Some("er"), Some("ERI"), "Eritrea", "flag-icons/er"),
    c("ESA", Some("sv"), Some("SLV"), "El Salvador", "flag-icons/sv"),
    c("ESP", Some("es"), Some("ESP"), "Spain", "flag-icons/es"),
    c("EST", Some("ee"), Some("EST"), "Estonia", "flag-icons/ee"),
    c("ETH", Some("et"), Some("ETH"), "Ethiopia", "flag-icons/et"),
    c("FIJ", Some("fj"), Some("FJI"), "Fiji", "flag-icons/fj"),
    c("FIN", Some("fi"), Some("FIN"), "Finland", "flag-icons/fi"),
    c("FRA", Some("fr"), Some("FRA"), "France", "flag-icons/fr"),
    c("FSM", Some("fm"), Some("FSM"), "Federated States of Micronesia", "flag-icons/fm"),
    c("GAB", Some("ga"), Some("GAB"), "Gabon", "flag-icons/ga"),
    c("GAM", Some("gm"), Some("GMB"), "The Gambia", "flag-icons/gm"),
    c("GBR", Some("gb"), Some("GBR"), "Great Britain", "flag-icons/gb"),
    c("GBS", Some("gw"), Some("GNB"), "Guinea-Bissau", "flag-icons/gw"),
    c("GEO", Some("ge"), Some("GEO"), "Georgia", "flag-icons/ge"),
    c("GEQ", Some("gq"), Some("GNQ"), "Equatorial Guinea", "flag-icons/gq"),
    c("GER", Some("de"), Some("DEU"), "Germany", "flag-icons/de"),
    c("GHA", Some("gh"), Some("GHA"), "Ghana", "flag-icons/gh"),
    c("GRE", Some("gr"), Some("GRC"), "Greece", "flag-icons/gr"),
    c("GRN", Some("gd"), Some("GRD"), "Grenada", "flag-icons/gd"),
    c("GUA", Some("gt"), Some("GTM"), "Guatemala", "flag-icons/gt"),
    c("GUI", Some("gn"), Some("GIN"), "Guinea", "flag-icons/gn"),
    c("GUM", Some("gu"), Some("GUM"), "Guam", "flag-icons/gu"),
    c("GUY", Some("gy"), Some("GUY"), "Guyana", "flag-icons/gy"),
    c("HAI", Some("ht"), Some("HTI"), "Haiti", "flag-icons/ht"),
    c("HKG", Some("hk"), Some("HKG"), "Hong Kong, China", "flag-icons/hk"),
    c("HON", Some("hn"), Some("HND"), "Honduras", "flag-icons/hn"),
    c("HUN", Some("hu"), Some("HUN"), "Hungary", "flag-icons/hu"),
    c("INA", Some("id"), Some("IDN"), "Indonesia", "flag-icons/id"),
    c("IND", Some("in"), Some("IND"), "India", "flag-icons/in"),
    c("IOA", None, None, "Independent Olympic Athletes", NEUTRAL),
    c("IPA", None, None, "Independent Paralympic Athletes", NEUTRAL),
    c("IRI", Some("ir"), Some("IRN"), "Islamic Republic of Iran", "flag-icons/ir"),
    c("IRL", Some("ie"), Some("IRL"), "Ireland", "flag-icons/ie"),
    c("IRQ", Some("iq"), Some("IRQ"), "Iraq", "flag-icons/iq"),
    c("ISL", Some("is"), Some("ISL"), "Iceland", "flag-icons/is"),
    c("ISR", Some("il"), Some("ISR"), "Israel", "flag-icons/il"),
    c("ISV", Some("vi"), Some("VIR"), "US Virgin Islands", "flag-icons/vi"),
    c("ITA", Some("it"), Some("ITA"), "Italy", "flag-icons/it"),
    c("IVB", Some("vg"), Some("VGB"), "British Virgin Islands", "flag-icons/vg"),
    c("JAM", Some("jm"), Some("JAM"), "Jamaica", "flag-icons/jm"),
    c("JOR", Some("jo"), Some("JOR"), "Jordan", "flag-icons/jo"),
    c("JPN", Some("jp"), Some("JPN"), "Japan", "flag-icons/jp"),
    c("KAZ", Some("kz"), Some("KAZ"), "Kazakhstan", "flag-icons/kz"),
    c("KEN", Some("ke"), Some("KEN"), "Kenya", "flag-icons/ke"),
    c("KGZ", Some("kg"), Some("KGZ"), "Kyrgyzstan", "flag-icons/kg"),
    c("KIR", Some("ki"), Some("KIR"), "Kiribati", "flag-icons/ki"),
    c("KOR", Some("kr"), Some("KOR"), "Republic of Korea", "flag-icons/kr"),
    c("KOS", Some("xk"), None, "Kosovo", "flag-icons/xk"),
    c("KSA", Some("sa"), Some("SAU"), "Saudi Arabia", "flag-icons/sa"),
    c("KUW", Some("kw"), Some("KWT"), "Kuwait", "flag-icons/kw"),
    c("LAO", Some("la"), Some("LAO"), "Lao People's Democratic Republic", "flag-icons/la"),
    c("LAT", Some("lv"), Some("LVA"), "Latvia", "flag-icons/lv"),
    c("LBA", Some("ly"), Some("LBY"), "Libya", "flag-icons/ly"),
    c("LBN", Some("lb"), Some("LBN"), "Lebanon", "flag-icons/lb"),
    c("LBR", Some("lr"), Some("LBR"), "Liberia", "flag-icons/lr"),
    c("LCA", Some("lc"), Some("LCA"), "Saint Lucia", "flag-icons/lc"),
    c("LES", Some("ls"), Some("LSO"), "Lesotho", "flag-icons/ls"),
    c("LIE", Some("li"), Some("LIE"), "Liechtenstein", "flag-icons/li"),
    c("LTU", Some("lt"), Some("LTU"), "Lithuania", "flag-icons/lt"),
    c("LUX", Some("lu"), Some("LUX"), "Luxembourg", "flag-icons/lu"),
    c("MAD", Some("mg"), Some("MDG"), "Madagascar", "flag-icons/mg"),
    c("MAR", Some("ma"), Some("MAR"), "Morocco", "flag-icons/ma"),
    c("MAS", Some("my"), Some("MYS"), "Malaysia", "flag-icons/my"),
    c("MAW", Some("mw"), Some("MWI"), "Malawi", "flag-icons/mw"),
    c("MDA", Some("md"), Some("MDA"), "Republic of Moldova", "flag-icons/md"),
    c("MDV", Some("mv"), Some("MDV"), "Maldives", "flag-icons/mv"),
    c("MEX", Some("mx"), Some("MEX"), "Mexico", "flag-icons/mx"),
    c("MGL", Some("mn"), Some("MNG"), "Mongolia", "flag-icons/mn"),
    c("MHL", Some("mh"), Some("MHL"), "Marshall Islands", "flag-icons/mh"),
    c("MKD", Some("mk"), Some("MKD"), "North Macedonia", "flag-icons/mk"),
    c("MLI", Some("ml"), Some("MLI"), "Mali", "flag-icons/ml"),
    c("MLT", Some("mt"), Some("MLT"), "Malta", "flag-icons/mt"),
    c("MNE", Some("me"), Some("MNE"), "Montenegro", "flag-icons/me"),
    c("MON", Some("mc"), Some("MCO"), "Monaco", "flag-icons/mc"),
    c("MOZ", Some("mz"), Some("MOZ"), "Mozambique", "flag-icons/mz"),
    c("MRI", Some("mu"), Some("MUS"), "Mauritius", "flag-icons/mu"),
    c("MTN", Some("mr"), Some("MRT"), "Mauritania", "flag-icons/mr"),
    c("MYA", Some("mm"), Some("MMR"), "Myanmar", "flag-icons/mm"),
    c("NAM", Some("na"), Some("NAM"), "Namibia", "flag-icons/na"),
    c("NCA", Some("ni"), Some("NIC"), "Nicaragua", "flag-icons/ni"),
    c("NED", Some("nl"), Some("NLD"), "Netherlands", "flag-icons/nl"),
    c("NEP", Some("np"), Some("NPL"), "Nepal", "flag-icons/np"),
    c("NGR", Some("ng"), Some("NGA"), "Nigeria", "flag-icons/ng"),
    c("NIG", Some("ne"), Some("NER"), "Niger", "flag-icons/ne"),
    c("NOR", Some("no"), Some("NOR"), "Norway", "flag-icons/no"),
    c("NPA", None, None, "Neutral Paralympic Athletes", NEUTRAL),
    c("NRU", Some("nr"), Some("NRU"), "Nauru", "flag-icons/nr"),
    c("NZL", Some("nz"), Some("NZL"), "New Zealand", "flag-icons/nz"),
    c("OMA", Some("om"), Some("OMN"), "Oman", "flag-icons/om"),
    c("PAK", Some("pk"), Some("PAK"), "Pakistan", "flag-icons/pk"),
    c("PAN", Some("pa"), Some("PAN"), "Panama", "flag-icons/pa"),
    c("PAR", Some("py"), Some("PRY"), "Paraguay", "flag-icons/py"),
    c("PER", Some("pe"), Some("PER"), "Peru", "flag-icons/pe"),
    c("PHI", Some("ph"), Some("PHL"), "Philippines", "flag-icons/ph"),
    c("PLE", Some("ps"), Some("PSE"), "Palestine", "flag-icons/ps"),
    c("PLW", Some("pw"), Some("PLW"), "Palau", "flag-icons/pw"),
    c("PNG", Some("pg"), Some("PNG"), "Papua New Guinea", "flag-icons/pg"),
    c("POL", Some("pl"), Some("POL"), "Poland", "flag-icons/pl"),
    c("POR", Some("pt"), Some("PRT"), "Portugal", "flag-icons/pt"),
    c("PRK", Some("kp"), Some("PRK"), "Democratic People's Republic of Korea", "flag-icons/kp"),
    c("PUR", Some("pr"), Some("PRI"), "Puerto Rico", "flag-icons/pr"),
    c("QAT", Some("qa"), Some("QAT"), "Qatar", "flag-icons/qa"),
    c("ROT", None, None, "Refugee Olympic Team (2016 code)", REFUGEE),
    c("ROU", Some("ro"), Some("ROU"), "Romania", "flag-icons/ro"),
    c("RPT", None, None, "Refugee Paralympic Team", REFUGEE),
    c("RSA", Some("za"), Some("ZAF"), "South Africa", "flag-icons/za"),
    c("RUS", Some("ru"), Some("RUS"), "Russian Federation", "flag-icons/ru"),
    c("RWA", Some("rw"), Some("RWA"), "Rwanda", "flag-icons/rw"),
    c("SAM", Some("ws"), Some("WSM"), "Samoa", "flag-icons/ws"),
    c("SEN", Some("sn"), Some("SEN"), "Senegal", "flag-icons/sn"),
    c("SEY", Some("sc"), Some("SYC"), "Seychelles", "flag-icons/sc"),
    c("SGP", Some("sg"), Some("SGP"), "Singapore", "flag-icons/sg"),
    c("SKN", Some("kn"), Some("KNA"), "Saint Kitts and Nevis", "flag-icons/kn"),
    c("SLE", Some("sl"), Some("SLE"), "Sierra Leone", "flag-icons/sl"),
    c("SLO", Some("si"), Some("SVN"), "Slovenia", "flag-icons/si"),
    c("SMR", Some("sm"), Some("SMR"), "San Marino", "flag-icons/sm"),
    c("SOL", Some("sb"), Some("SLB"), "Solomon Islands", "flag-icons/sb"),
    c("SOM", Some("so"), Some("SOM"), "Somalia", "flag-icons/so"),
    c("SRB", Some("rs"), Some("SRB"), "Serbia", "flag-icons/rs"),
    c("SRI", Some("lk"), Some("LKA"), "Sri Lanka", "flag-icons/lk"),
    c("SSD", Some("ss"), Some("SSD"), "South Sudan", "flag-icons/ss"),
    c("STP", Some("st"), Some("STP"), "São Tomé and Príncipe", "flag-icons/st"),
    c("SUD", Some("sd"), Some("SDN"), "Sudan", "flag-icons/sd"),
    c("SUI", Some("ch"), Some("CHE"), "Switzerland", "flag-icons/ch"),
    c("SUR", Some("sr"), Some("SUR"), "Suriname", "flag-icons/sr"),
    c("SVK", Some("sk"), Some("SVK"), "Slovakia", "flag-icons/sk"),
    c("SWE", Some("se"), Some("SWE"), "Sweden", "flag-icons/se"),
    c("SWZ", Some("sz"), Some("SWZ"), "Eswatini", "flag-icons/sz"),
    c("SYR", Some("sy"), Some("SYR"), "Syrian Arab Republic", "flag-icons/sy"),
    c("TAN", Some("tz"), Some("TZA"), "Tanzania", "flag-icons/tz"),
    c("TGA", Some("to"), Some("TON"), "Tonga", "flag-icons/to"),
    c("THA", Some("th"), Some("THA"), "Thailand", "flag-icons/th"),
    c("TJK", Some("tj"), Some("TJK"), "Tajikistan", "flag-icons/tj"),
    c("TKM", Some("tm"), Some("TKM"), "Turkmenistan", "flag-icons/tm"),
    c("TLS", Some("tl"), Some("TLS"), "Timor-Leste", "flag-icons/tl"),
    c("TOG", Some("tg"), Some("TGO"), "Togo", "flag-icons/tg"),
    c("TPE", Some("tw"), Some("TWN"), "Chinese Taipei", NO_FLAG),
    c("TTO", Some("tt"), Some("TTO"), "Trinidad and Tobago", "flag-icons/tt"),
    c("TUN", Some("tn"), Some("TUN"), "Tunisia", "flag-icons/tn"),
    c("TUR", Some("tr"), Some("TUR"), "Türkiye", "flag-icons/tr"),
    c("TUV", Some("tv"), Some("TUV"), "Tuvalu", "flag-icons/tv"),
    c("UAE", Some("ae"), Some("ARE"), "United Arab Emirates", "flag-icons/ae"),
    c("UGA", Some("ug"), Some("UGA"), "Uganda", "flag-icons/ug"),
    c("UKR", Some("ua"), Some("UKR"), "Ukraine", "flag-icons/ua"),
    c("URU", Some("uy"), Some("URY"), "Uruguay", "flag-icons/uy"),
    c("USA", Some("us"), Some("USA"), "United States of America", "flag-icons/us"),
    c("UZB", Some("uz"), Some("UZB"), "Uzbekistan", "flag-icons/uz"),
    c("VAN", Some("vu"), Some("VUT"), "Vanuatu", "flag-icons/vu"),
    c("VEN", Some("ve"), Some("VEN"), "Venezuela", "flag-icons/ve"),
    c("VIE", Some("vn"), Some("VNM"), "Vietnam", "flag-icons/vn"),
    c("VIN", Some("vc"), Some("VCT"), "Saint Vincent and the Grenadines", "flag-icons/vc"),
    c("WT", None, None, "World Taekwondo (refugee team, WT-affiliated athletes)", WORLD_TAEKWONDO),
    c("YEM", Some("ye"), Some("YEM"), "Yemen", "flag-icons/ye"),
    c("ZAM", Some("zm"), Some("ZMB"), "Zambia", "flag-icons/zm"),
    c("ZIM", Some("zw"), Some("ZWE"), "Zimbabwe", "flag-icons/zw"),
];

/// The row for an IOC code (exact, upper case; normalise input with [`normalize_code`] first).
pub fn lookup(ioc: &str) -> Option<&'static Country> {
    COUNTRIES
        .binary_search_by(|c| c.ioc.cmp(ioc))
        .ok()
        .map(|i| &COUNTRIES[i])
}

/// A likely table row for a code that is not an IOC code: the country whose ISO alpha-3 (or
/// alpha-2) it is. Only a suggestion for the mapping editor; `None` for IOC codes, since those
/// already resolve (`BRN` stays Bahrain even though ISO says Brunei).
pub fn suggest(code: &str) -> Option<&'static Country> {
    if lookup(code).is_some() {
        return None;
    }
    let lower = code.to_ascii_lowercase();
    COUNTRIES
        .iter()
        .find(|c| c.iso3 == Some(code))
        .or_else(|| COUNTRIES.iter().find(|c| c.iso2 == Some(lower.as_str())))
}

/// Normalise a received or typed code: trimmed, upper case, 2–10 characters of `A–Z`, `0–9`, `_`
/// or `-`. `None` when it cannot be a code (empty, spaces inside, other characters).
pub fn normalize_code(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    let ok = (2..=10).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    ok.then_some(code)
}
