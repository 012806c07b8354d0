//! The demo tables, generated in memory from one seed. Each table draws from its own random
//! stream, so changing how one table is made does not reshuffle the others.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::people::{self, Market};
use crate::Summary;

#[derive(Debug, Clone)]
pub struct Customer {
    pub customer_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street_address: String,
    pub city: String,
    pub postal_code: String,
    pub country_code: &'static str,
    pub birth_date: Option<NaiveDate>,
    pub card_number: String,
    pub segment: &'static str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub order_id: i64,
    pub customer_id: i64,
    pub ordered_on: NaiveDate,
    pub status: &'static str,
    pub channel: &'static str,
    pub amount: Option<f64>,
    pub currency: &'static str,
}

#[derive(Debug, Clone)]
pub struct Invoice {
    pub invoice_id: String,
    pub order_id: i64,
    pub customer_id: i64,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub net_amount: f64,
    pub tax_amount: f64,
    pub currency: &'static str,
    pub payment_method: &'static str,
    pub paid: bool,
    /// The billing system's own copy of the customer's street address.
    pub billing_address: String,
}

/// One line of an order: a product of the catalogue, a quantity and a price.
#[derive(Debug, Clone)]
pub struct OrderLine {
    pub order_id: i64,
    pub line_no: i64,
    pub sku: &'static str,
    pub quantity: i64,
    pub unit_price: f64,
}

/// A product of the shop's catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Product {
    pub sku: &'static str,
    pub product_name: &'static str,
    pub category: &'static str,
    pub list_price: f64,
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub ticket_id: i64,
    pub customer_id: i64,
    pub opened_at: NaiveDateTime,
    pub channel: &'static str,
    pub category: &'static str,
    pub priority: &'static str,
    pub status: &'static str,
    pub subject: String,
    pub body: String,
    pub satisfaction: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct Country {
    pub country_code: &'static str,
    pub country_name: &'static str,
    pub region: &'static str,
    pub calling_code: &'static str,
    pub vat_rate: f64,
}

/// All demo tables plus the dirt counters.
#[derive(Debug, Clone)]
pub struct Tables {
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub invoices: Vec<Invoice>,
    pub order_lines: Vec<OrderLine>,
    pub products: Vec<Product>,
    pub tickets: Vec<Ticket>,
    pub countries: Vec<Country>,
    pub orphan_orders: usize,
    pub duplicate_emails: usize,
    pub malformed_phones: usize,
}

impl Tables {
    pub fn summary(&self) -> Summary {
        Summary {
            customers: self.customers.len(),
            orders: self.orders.len(),
            invoices: self.invoices.len(),
            order_lines: self.order_lines.len(),
            tickets: self.tickets.len(),
            countries: self.countries.len(),
            orphan_orders: self.orphan_orders,
            duplicate_emails: self.duplicate_emails,
            malformed_phones: self.malformed_phones,
        }
    }
}

pub const COUNTRIES: &[Country] = &[
    Country {
        country_code: "US",
        country_name: "United States",
        region: "Americas",
        calling_code: "+1",
        vat_rate: 0.0725,
    },
    Country { country_code: "FR", country_name: "France", region: "Europe", calling_code: "+33", vat_rate: 0.20 },
    Country { country_code: "DE", country_name: "Germany", region: "Europe", calling_code: "+49", vat_rate: 0.19 },
    Country { country_code: "BR", country_name: "Brazil", region: "Americas", calling_code: "+55", vat_rate: 0.17 },
    Country { country_code: "IT", country_name: "Italy", region: "Europe", calling_code: "+39", vat_rate: 0.22 },
    Country { country_code: "NL", country_name: "Netherlands", region: "Europe", calling_code: "+31", vat_rate: 0.21 },
    Country {
        country_code: "GB",
        country_name: "United Kingdom",
        region: "Europe",
        calling_code: "+44",
        vat_rate: 0.20,
    },
    Country { country_code: "ES", country_name: "Spain", region: "Europe", calling_code: "+34", vat_rate: 0.21 },
    Country { country_code: "PT", country_name: "Portugal", region: "Europe", calling_code: "+351", vat_rate: 0.23 },
    Country { country_code: "CA", country_name: "Canada", region: "Americas", calling_code: "+1", vat_rate: 0.05 },
    Country { country_code: "MX", country_name: "Mexico", region: "Americas", calling_code: "+52", vat_rate: 0.16 },
    Country { country_code: "JP", country_name: "Japan", region: "Asia", calling_code: "+81", vat_rate: 0.10 },
    Country { country_code: "CH", country_name: "Switzerland", region: "Europe", calling_code: "+41", vat_rate: 0.081 },
    Country { country_code: "AT", country_name: "Austria", region: "Europe", calling_code: "+43", vat_rate: 0.20 },
    Country { country_code: "BE", country_name: "Belgium", region: "Europe", calling_code: "+32", vat_rate: 0.21 },
];

pub const PRODUCTS: &[Product] = &[
    Product { sku: "SKU-1001", product_name: "Trail running shoes", category: "footwear", list_price: 119.0 },
    Product { sku: "SKU-1002", product_name: "Leather boots", category: "footwear", list_price: 179.0 },
    Product { sku: "SKU-1003", product_name: "Canvas sneakers", category: "footwear", list_price: 59.0 },
    Product { sku: "SKU-2001", product_name: "Rain jacket", category: "apparel", list_price: 149.0 },
    Product { sku: "SKU-2002", product_name: "Merino sweater", category: "apparel", list_price: 89.0 },
    Product { sku: "SKU-2003", product_name: "Cotton t-shirt", category: "apparel", list_price: 19.0 },
    Product { sku: "SKU-2004", product_name: "Denim jeans", category: "apparel", list_price: 69.0 },
    Product { sku: "SKU-3001", product_name: "Daypack 20 l", category: "bags", list_price: 79.0 },
    Product { sku: "SKU-3002", product_name: "Travel duffel", category: "bags", list_price: 129.0 },
    Product { sku: "SKU-4001", product_name: "Steel water bottle", category: "outdoor", list_price: 24.0 },
    Product { sku: "SKU-4002", product_name: "Headlamp", category: "outdoor", list_price: 39.0 },
    Product { sku: "SKU-4003", product_name: "Camping mug", category: "outdoor", list_price: 12.0 },
    Product { sku: "SKU-5001", product_name: "Wool socks (3 pairs)", category: "accessories", list_price: 29.0 },
    Product { sku: "SKU-5002", product_name: "Knit beanie", category: "accessories", list_price: 25.0 },
    Product { sku: "SKU-5003", product_name: "Leather belt", category: "accessories", list_price: 45.0 },
];

fn stream(seed: u64, table: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(table);
    rng
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn random_date(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

fn random_datetime(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDateTime {
    let day = random_date(rng, from, to);
    day.and_hms_opt(rng.random_range(7..22), rng.random_range(0..60), rng.random_range(0..60)).unwrap_or_default()
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn cents(rng: &mut ChaCha8Rng, lo: u32, hi: u32) -> f64 {
    f64::from(rng.random_range(lo * 100..=hi * 100)) / 100.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Generates every table for `customers` customers from `seed`.
pub fn generate_tables(customers: usize, seed: u64) -> Tables {
    let (customers, markets, duplicate_emails, malformed_phones) = gen_customers(customers, seed);
    let (orders, orphan_orders) = gen_orders(&customers, &markets, seed);
    let invoices = gen_invoices(&orders, &customers, seed);
    let order_lines = gen_order_lines(&orders, seed);
    let tickets = gen_tickets(&customers, seed);
    Tables {
        customers,
        orders,
        invoices,
        order_lines,
        products: PRODUCTS.to_vec(),
        tickets,
        countries: COUNTRIES.to_vec(),
        orphan_orders,
        duplicate_emails,
        malformed_phones,
    }
}

fn gen_customers(n: usize, seed: u64) -> (Vec<Customer>, Vec<Market>, usize, usize) {
    let mut rng = stream(seed, 1);
    let mut out = Vec::with_capacity(n);
    let mut markets = Vec::with_capacity(n);
    let mut malformed = 0;
    for i in 0..n {
        let market = Market::pick(&mut rng);
        let p = people::person(market, &mut rng);
        let mut email = Some(people::email(&p, market, &mut rng));
        // Households and re-registrations share an email with an earlier customer.
        if i > 0 && rng.random_bool(0.02) {
            let j = rng.random_range(0..i);
            email = out.get(j).and_then(|c: &Customer| c.email.clone()).or(email);
        }
        if rng.random_bool(0.03) {
            email = None;
        }
        let phone = if rng.random_bool(0.04) {
            None
        } else if rng.random_bool(0.01) {
            malformed += 1;
            Some(people::malformed_phone(&mut rng))
        } else {
            Some(market.phone(&mut rng))
        };
        let birth_date = if rng.random_bool(0.02) {
            None
        } else {
            Some(random_date(&mut rng, date(1940, 1, 1), date(2006, 12, 31)))
        };
        let segment = match rng.random_range(0..100u32) {
            0..70 => "consumer",
            70..92 => "business",
            _ => "vip",
        };
        out.push(Customer {
            customer_id: i as i64 + 1,
            first_name: p.first_name,
            last_name: p.last_name,
            email,
            phone,
            street_address: p.street,
            city: p.city,
            postal_code: p.postal_code,
            country_code: market.country_code(),
            birth_date,
            card_number: people::card_number(&mut rng),
            segment,
            created_at: random_datetime(&mut rng, date(2015, 1, 1), date(2025, 6, 30)),
        });
        markets.push(market);
    }
    let mut seen = HashSet::with_capacity(n);
    let duplicates = out.iter().filter_map(|c| c.email.as_deref()).filter(|e| !seen.insert(*e)).count();
    (out, markets, duplicates, malformed)
}

fn gen_orders(customers: &[Customer], markets: &[Market], seed: u64) -> (Vec<Order>, usize) {
    let mut rng = stream(seed, 2);
    let end = date(2025, 12, 31);
    let mut out = Vec::with_capacity(customers.len() * 5);
    for (c, m) in customers.iter().zip(markets) {
        for _ in 0..rng.random_range(0..=10u32) {
            let status = match rng.random_range(0..100u32) {
                0..55 => "delivered",
                55..70 => "shipped",
                70..80 => "placed",
                80..90 => "returned",
                _ => "cancelled",
            };
            let amount = if rng.random_bool(0.005) { None } else { Some(cents(&mut rng, 5, 480)) };
            out.push(Order {
                order_id: 0,
                customer_id: c.customer_id,
                ordered_on: random_date(&mut rng, c.created_at.date(), end),
                status,
                channel: pick(&mut rng, &["web", "web", "app", "store", "phone"]),
                amount,
                currency: m.currency(),
            });
        }
    }
    // Order ids follow time, as in a real shop.
    out.sort_by(|a, b| a.ordered_on.cmp(&b.ordered_on).then(a.customer_id.cmp(&b.customer_id)));
    let n = customers.len() as i64;
    let mut orphans = 0;
    for (i, o) in out.iter_mut().enumerate() {
        o.order_id = 100_001 + i as i64;
        // Orders of customers since deleted from the CRM.
        if rng.random_bool(0.01) {
            o.customer_id = n + 1 + rng.random_range(0..(n / 10 + 10));
            orphans += 1;
        }
    }
    (out, orphans)
}

fn gen_invoices(orders: &[Order], customers: &[Customer], seed: u64) -> Vec<Invoice> {
    let mut rng = stream(seed, 3);
    // A separate stream, so the invoices stay as they were before addresses were copied.
    let mut addresses = stream(seed, 5);
    let mut out = Vec::with_capacity(orders.len());
    for o in orders {
        let Some(amount) = o.amount else { continue };
        if o.status == "cancelled" || o.status == "placed" {
            continue;
        }
        let issued_on = o.ordered_on + Duration::days(rng.random_range(0..=3));
        let vat = match o.currency {
            "USD" => 0.0725,
            "BRL" => 0.17,
            _ => 0.20,
        };
        let net = round2(amount / (1.0 + vat));
        let paid = if issued_on < date(2025, 11, 1) { rng.random_bool(0.96) } else { rng.random_bool(0.5) };
        let method = if o.currency == "BRL" {
            pick(&mut rng, &["card", "boleto", "pix"])
        } else {
            pick(&mut rng, &["card", "card", "paypal", "bank_transfer"])
        };
        // Billing keeps its own copy of the address (deleted customers' included).
        let billing_address = match customers.get((o.customer_id - 1) as usize) {
            Some(c) if c.customer_id == o.customer_id => c.street_address.clone(),
            _ => format!("{} Old Mill Road", addresses.random_range(1..400u32)),
        };
        out.push(Invoice {
            invoice_id: format!("INV-{}-{:07}", issued_on.format("%Y"), out.len() + 1),
            order_id: o.order_id,
            customer_id: o.customer_id,
            issued_on,
            due_on: issued_on + Duration::days(30),
            net_amount: net,
            tax_amount: round2(amount - net),
            currency: o.currency,
            payment_method: method,
            paid,
            billing_address,
        });
    }
    out
}

/// One to four lines per order with an amount, priced so they add up to it.
fn gen_order_lines(orders: &[Order], seed: u64) -> Vec<OrderLine> {
    let mut rng = stream(seed, 6);
    let mut out = Vec::with_capacity(orders.len() * 2);
    for o in orders {
        let Some(amount) = o.amount else { continue };
        let n = rng.random_range(1..=4i64);
        let mut left = amount;
        for line_no in 1..=n {
            let product = pick(&mut rng, PRODUCTS);
            let quantity = if rng.random_bool(0.8) { 1 } else { rng.random_range(2..=3i64) };
            let total = if line_no == n { round2(left) } else { round2(left * rng.random_range(0.2..0.6)) };
            left = round2(left - total);
            out.push(OrderLine {
                order_id: o.order_id,
                line_no,
                sku: product.sku,
                quantity,
                unit_price: round2(total / quantity as f64),
            });
        }
    }
    out
}

const CATEGORIES: &[(&str, &[&str])] = &[
    ("billing", &["Charged twice for my order", "Invoice shows the wrong address", "Refund not received"]),
    ("delivery", &["Parcel has not arrived", "Delivered to the wrong address", "Package damaged on arrival"]),
    ("returns", &["How do I return an item?", "Return label not working", "Exchange for another size"]),
    ("account", &["Cannot log in", "Please update my phone number", "Delete my account and data"]),
    ("product", &["Item stopped working", "Missing parts in the box", "Question about warranty"]),
];

fn gen_tickets(customers: &[Customer], seed: u64) -> Vec<Ticket> {
    let mut rng = stream(seed, 4);
    let end = date(2025, 12, 31);
    let mut out = Vec::with_capacity(customers.len() * 2);
    for c in customers {
        for _ in 0..rng.random_range(0..=4u32) {
            let (category, subjects) = pick(&mut rng, CATEGORIES);
            let subject = pick(&mut rng, subjects).to_string();
            let status = pick(&mut rng, &["open", "pending", "solved", "solved", "closed", "closed"]);
            // Free text is where PII hides: customers paste their contact details and cards.
            let mut body = format!(
                "Hello, {}. {}",
                subject.to_lowercase(),
                pick(
                    &mut rng,
                    &[
                        "Thanks in advance.",
                        "This is the second time I write about this.",
                        "Please get back to me quickly.",
                        "Kind regards.",
                    ]
                )
            );
            match rng.random_range(0..10u32) {
                0 | 1 => {
                    if let Some(p) = &c.phone {
                        body.push_str(&format!(" You can reach me at {p}."));
                    }
                }
                2 => {
                    if let Some(e) = &c.email {
                        body.push_str(&format!(" My email is {e}."));
                    }
                }
                3 => body.push_str(&format!(" The card I used ends in {}.", &c.card_number[c.card_number.len() - 4..])),
                _ => {}
            }
            body.push_str(&format!(" — {} {}", c.first_name, c.last_name));
            let satisfaction = if matches!(status, "solved" | "closed") && rng.random_bool(0.7) {
                Some(rng.random_range(1..=5))
            } else {
                None
            };
            out.push(Ticket {
                ticket_id: 0,
                customer_id: c.customer_id,
                opened_at: random_datetime(&mut rng, c.created_at.date(), end),
                channel: pick(&mut rng, &["email", "phone", "chat", "web_form"]),
                category,
                priority: pick(&mut rng, &["low", "normal", "normal", "high", "urgent"]),
                status,
                subject,
                body,
                satisfaction,
            });
        }
    }
    out.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.customer_id.cmp(&b.customer_id)));
    for (i, t) in out.iter_mut().enumerate() {
        t.ticket_id = 1 + i as i64;
    }
    out
}
