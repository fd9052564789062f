// The API's types, generated from docs/openapi.yaml: do not edit by hand.
// `make api-types` writes this file again; local/tests/openapi_matches_template.rs fails while it
// differs from what the contract says.

/** The body of every failed request. */
export interface ErrorBody {
  errors: ErrorItem[];
}

/** One problem with a request. */
export interface ErrorItem {
  message: string;
  /** The input the problem is about, when there is one. */
  field?: string;
  /** A stable name for the reason, on the answers a client acts on; the message may change, the code does not. `order_paid`: the order's payment is recorded. `too_many_open_orders`: the buyer holds 3 orders awaiting payment already. */
  code?: 'order_paid' | 'too_many_open_orders';
}

/** An email (at most 254 bytes) and a password of 8 to 128 characters. */
export interface Credentials {
  email: string;
  password: string;
}

/** The current password, and a new one of 8 to 128 characters that differs from it. */
export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/** A signed-in user. */
export interface User {
  id: string;
  email: string;
}

/** Who is signed in, if anyone. */
export interface CurrentUserBody {
  currentUser: User | null;
}

/** Integer cents, 50 (Stripe's smallest card payment in US dollars) to 100000000 (one million dollars). */
export type Price = number;

/** One line of text, 1 to 120 characters once trimmed, no control characters. */
export type Title = string;

/** What a seller types to list a ticket. */
export interface TicketInput {
  title: Title;
  price: Price;
}

/** New title and price, and the version they were edited from. */
export interface TicketUpdate {
  title: Title;
  price: Price;
  /** The version edited from; 409 if the ticket has moved on. */
  version?: number;
}

/** A ticket for sale. */
export interface Ticket {
  id: string;
  title: string;
  /** Integer cents. */
  price: number;
  userId: string;
  /** Bumped by every change; an update names the version it was edited from. */
  version: number;
  /** The order holding the ticket, while one does; a reserved ticket can't be edited. */
  orderId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One page of the browse list. */
export interface TicketPage {
  tickets: Ticket[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** The ticket to reserve. */
export interface OrderInput {
  ticketId: string;
}

/** `created` is awaiting payment; `cancelled` and `complete` are final. */
export type OrderStatus = 'created' | 'cancelled' | 'complete';

/** The ticket as the order saw it when reserving. */
export interface OrderedTicket {
  id: string;
  title: string;
  /** Integer cents. */
  price: number;
  /** This order's place among the ticket's reservations (1, 2, ...); the tickets domain applies reservations in this order. Absent on orders made before it existed. */
  reservation?: number;
}

/** An order for one ticket. */
export interface Order {
  id: string;
  status: OrderStatus;
  userId: string;
  /** RFC 3339; a `created` order is cancelled once this passes. */
  expiresAt: string;
  createdAt: string;
  version: number;
  ticket: OrderedTicket;
}

/** The caller's orders. */
export interface OrderList {
  orders: Order[];
}

/** The order to pay for. */
export interface PaymentInput {
  orderId: string;
}

/** A Stripe PaymentIntent for an order, and what Stripe.js needs to confirm it. */
export interface Payment {
  /** The PaymentIntent's id, `pi_...`. */
  id: string;
  orderId: string;
  /** Lets Stripe.js confirm this one PaymentIntent. */
  clientSecret: string;
  /** Integer cents. */
  amount: number;
  currency: string;
  publishableKey: string;
  /** Where Stripe.js is loaded from. */
  stripeJsUrl: string;
}

/** A Stripe event, as Stripe sends it. */
export type StripeEvent = Record<string, unknown>;

/** What became of a Stripe event. */
export interface WebhookReceipt {
  received: true;
  outcome: 'applied' | 'duplicate' | 'already recorded' | 'unmatched' | 'ignored';
}

/** A seller's payout setup and listings. */
export interface SellerPayouts {
  account: {
    /** `none` before "Set up payouts"; `incomplete` until Stripe says the account can receive transfers and pay out; then `ready`. */
    status: 'none' | 'incomplete' | 'ready';
  };
  /** The platform's share of each sale (1000 = 10 %). */
  platformFeeBasisPoints: number;
  listings: Listing[];
}

/** A ticket the caller listed, and what became of it. */
export interface Listing {
  ticketId: string;
  title: string;
  /** Integer cents. */
  price: number;
  listedAt: string;
  state: 'for_sale' | 'reserved' | 'sold';
  /** While reserved, when the buyer's payment window ends. */
  reservedUntil?: string;
  sale?: Sale;
}

/** A sold ticket's money. */
export interface Sale {
  orderId: string;
  /** What the buyer paid, integer cents. */
  price: number;
  /** The platform's fee, integer cents. */
  fee: number;
  /** What the seller gets (price minus fee), integer cents. */
  amount: number;
  payout: 'waiting_for_setup' | 'sent';
  /** Stripe's transfer (`tr_...`), once sent. */
  transferId?: string;
}

/** Stripe's hosted onboarding page for the caller's payout account. */
export interface OnboardingLink {
  url: string;
}

/** What became of a Stripe Connect event. */
export interface ConnectWebhookReceipt {
  received: true;
  outcome: 'applied' | 'stale' | 'ignored';
}
