/** The one rule for what a Stripe customer id looks like (routes and usage counters agree on it). */
export const CUSTOMER_ID = /^cus_[A-Za-z0-9]{1,250}$/;
