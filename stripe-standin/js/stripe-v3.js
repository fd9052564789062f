/*
 * stripe-standin: a stand-in for Stripe.js v3 (https://js.stripe.com/v3/), for offline
 * development and browser tests. It is served by the stripe-standin at /v3/ and talks to the
 * stand-in's API on the origin it was loaded from.
 *
 * The subset of the real API it provides:
 *   const stripe = Stripe('pk_test_...');
 *   const card = stripe.elements().create('card', { style: { base: { fontSize: '16px' } } });
 *   card.mount('#card'); card.on('change', ({ complete, empty, error }) => ...);
 *   card.focus(); card.blur(); card.clear(); card.update(options); card.unmount(); card.destroy();
 *   const { paymentIntent, error } = await stripe.confirmCardPayment(clientSecret,
 *     { payment_method: { card, billing_details: { name } } });
 *   const { paymentMethod, error } = await stripe.createPaymentMethod({ type: 'card', card });
 *   const { paymentIntent, error } = await stripe.retrievePaymentIntent(clientSecret);
 *
 * Real Stripe renders the card inputs in an iframe; this renders plain inputs in the mount
 * point: card number (aria-label "Card number"), expiry ("Expiration date MM / YY") and CVC
 * ("CVC"), in one row. Like Stripe.js, card errors come back as `{ error }` and never reject.
 */
(function () {
  'use strict';

  // The API is on the origin this script came from, whatever port the stand-in listens on.
  var apiBase = (function () {
    var script = document.currentScript;
    if (!script) {
      var scripts = document.querySelectorAll('script[src*="/v3"]');
      script = scripts[scripts.length - 1];
    }
    if (script && script.src) {
      return new URL(script.src, window.location.href).origin + '/';
    }
    return 'http://127.0.0.1:12111/';
  })();

  function integrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  // ---- Card rules, as Stripe.js checks them before calling the API ----

  function digitsOnly(value) {
    return String(value || '').replace(/\D/g, '');
  }

  function cardBrand(number) {
    if (/^4/.test(number)) return 'visa';
    if (/^(5[1-5]|2(2[2-9][1-9]|[3-6]\d\d|7[01]\d|720))/.test(number)) return 'mastercard';
    if (/^3[47]/.test(number)) return 'amex';
    if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
    if (/^3(0|6|8|9)/.test(number)) return 'diners';
    if (/^35/.test(number)) return 'jcb';
    if (/^62/.test(number)) return 'unionpay';
    return 'unknown';
  }

  function numberLength(brand) {
    return brand === 'amex' ? 15 : brand === 'diners' ? 14 : 16;
  }

  function cvcLength(brand) {
    return brand === 'amex' ? 4 : 3;
  }

  function luhnValid(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = Number(number[number.length - 1 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    return sum % 10 === 0;
  }

  function formatNumber(number, brand) {
    var groups = brand === 'amex' ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var parts = [];
    var at = 0;
    for (var i = 0; i < groups.length && at < number.length; i++) {
      parts.push(number.slice(at, at + groups[i]));
      at += groups[i];
    }
    return parts.join(' ');
  }

  function formatExpiry(raw) {
    var digits = digitsOnly(raw);
    if (digits.length === 1 && Number(digits) > 1) digits = '0' + digits;
    digits = digits.slice(0, 4);
    if (digits.length >= 2) return digits.slice(0, 2) + ' / ' + digits.slice(2);
    return digits;
  }

  function parseExpiry(value) {
    var digits = digitsOnly(value);
    if (digits.length !== 4) return null;
    return { month: Number(digits.slice(0, 2)), year: 2000 + Number(digits.slice(2)) };
  }

  var MESSAGES = {
    incomplete_number: 'Your card number is incomplete.',
    invalid_number: 'Your card number is invalid.',
    incomplete_expiry: "Your card's expiration date is incomplete.",
    invalid_expiry_month: "Your card's expiration date is invalid.",
    invalid_expiry_year_past: "Your card's expiration year is in the past.",
    invalid_expiry_month_past: "Your card's expiration date is in the past.",
    incomplete_cvc: "Your card's security code is incomplete.",
  };

  function validationError(code) {
    return { type: 'validation_error', code: code, message: MESSAGES[code] };
  }

  // The first problem with the card as typed; `strict` also reports incomplete fields.
  function cardProblem(values, strict) {
    var number = digitsOnly(values.number);
    var brand = cardBrand(number);
    if (number.length >= numberLength(brand) && !luhnValid(number)) return 'invalid_number';
    if (strict && number.length < numberLength(brand)) return 'incomplete_number';
    var expiry = parseExpiry(values.expiry);
    if (expiry) {
      var now = new Date();
      var year = now.getFullYear();
      var month = now.getMonth() + 1;
      if (expiry.month < 1 || expiry.month > 12) return 'invalid_expiry_month';
      if (expiry.year < year) return 'invalid_expiry_year_past';
      if (expiry.year === year && expiry.month < month) return 'invalid_expiry_month_past';
    } else if (strict) {
      return 'incomplete_expiry';
    }
    if (strict && digitsOnly(values.cvc).length < cvcLength(brand)) return 'incomplete_cvc';
    return null;
  }

  // ---- The card Element ----

  var INPUT_STYLE =
    'flex:1 1 auto;min-width:0;border:0;outline:0;background:transparent;padding:0;margin:0;' +
    'font:inherit;color:inherit;';

  var mounted = 0;

  function CardElement(options) {
    this._options = options || {};
    this._handlers = {};
    this._mountNode = null;
    this._container = null;
    this._destroyed = false;
    this._values = { number: '', expiry: '', cvc: '' };
    this._lastError = null;
  }

  CardElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  CardElement.prototype.off = function (event, handler) {
    var list = this._handlers[event] || [];
    this._handlers[event] = handler ? list.filter(function (h) { return h !== handler; }) : [];
    return this;
  };

  CardElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).slice().forEach(function (handler) {
      handler(payload);
    });
  };

  CardElement.prototype._state = function () {
    var number = digitsOnly(this._values.number);
    var brand = cardBrand(number);
    var empty = !number && !digitsOnly(this._values.expiry) && !digitsOnly(this._values.cvc);
    var complete = cardProblem(this._values, true) === null;
    return { brand: brand, empty: empty, complete: complete };
  };

  CardElement.prototype._changed = function (strict) {
    var state = this._state();
    var problem = cardProblem(this._values, strict);
    var event = {
      elementType: 'card',
      empty: state.empty,
      complete: state.complete,
      brand: state.brand,
      value: { postalCode: '' },
    };
    if (problem && !state.empty) event.error = validationError(problem);
    this._lastError = event.error || null;
    this._updateClasses(state, !!event.error);
    this._applyStyle();
    this._emit('change', event);
  };

  CardElement.prototype._updateClasses = function (state, invalid) {
    var node = this._mountNode;
    if (!node) return;
    node.classList.add('StripeElement');
    node.classList.toggle('StripeElement--empty', state.empty);
    node.classList.toggle('StripeElement--complete', state.complete);
    node.classList.toggle('StripeElement--invalid', invalid);
  };

  CardElement.prototype._input = function (name, attributes, width) {
    var input = document.createElement('input');
    input.type = 'text';
    input.setAttribute('inputmode', 'numeric');
    input.setAttribute('autocorrect', 'off');
    input.setAttribute('spellcheck', 'false');
    Object.keys(attributes).forEach(function (key) {
      input.setAttribute(key, attributes[key]);
    });
    input.style.cssText = INPUT_STYLE + (width ? 'flex:0 0 ' + width + ';' : '');
    input.dataset.field = name;
    return input;
  };

  // The `style` option: `base` (color, fontFamily, fontSize, fontWeight, '::placeholder'.color)
  // and `invalid.color` while what was typed is invalid.
  CardElement.prototype._applyStyle = function () {
    if (!this._container) return;
    var rules = this._options.style || {};
    var base = rules.base || {};
    var invalid = rules.invalid || {};
    var style = this._container.style;
    style.color = base.color || '';
    // Only the field with the problem turns the invalid color, as in Stripe's card Element.
    var code = this._lastError ? this._lastError.code : '';
    var badField = /number/.test(code) ? 'number' : /expiry/.test(code) ? 'expiry' : /cvc/.test(code) ? 'cvc' : '';
    var fields = this._fields;
    Object.keys(fields).forEach(function (name) {
      fields[name].style.color = name === badField && invalid.color ? invalid.color : 'inherit';
    });
    style.fontSize = base.fontSize || '16px';
    style.fontFamily = base.fontFamily || 'inherit';
    style.fontWeight = base.fontWeight || '';
    var placeholder = base['::placeholder'] || {};
    if (this._placeholderSheet) {
      this._placeholderSheet.replaceSync(
        placeholder.color
          ? '.' + this._id + ' input::placeholder{color:' + placeholder.color + ';opacity:1}'
          : ''
      );
    }
    var disabled = !!this._options.disabled;
    this._inputs.forEach(function (input) {
      input.disabled = disabled;
    });
  };

  CardElement.prototype.mount = function (target) {
    if (this._destroyed) throw integrationError('This Element has already been destroyed.');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node || !node.appendChild) {
      throw integrationError(
        'The selector you specified (' + target + ') applies to no DOM elements that are ' +
          'currently on the page.'
      );
    }
    if (this._container) this.unmount();
    var self = this;
    var container = document.createElement('div');
    mounted += 1;
    this._id = 'StripeStandinCard-' + mounted;
    container.className = 'StripeStandinCard ' + this._id;
    // A constructed style sheet, not a <style> element: the page's Content-Security-Policy
    // allows no inline style (real Stripe styles its inputs inside its own frame).
    this._placeholderSheet = new CSSStyleSheet();
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([this._placeholderSheet]);
    container.style.cssText =
      'display:flex;align-items:center;gap:12px;width:100%;box-sizing:border-box;' +
      'line-height:1.4;';
    var number = this._input('number', {
      name: 'cardnumber',
      autocomplete: 'cc-number',
      'aria-label': 'Card number',
      placeholder: '1234 1234 1234 1234',
    });
    var expiry = this._input(
      'expiry',
      {
        name: 'exp-date',
        autocomplete: 'cc-exp',
        'aria-label': 'Expiration date MM / YY',
        placeholder: 'MM / YY',
      },
      '5.5em'
    );
    var cvc = this._input(
      'cvc',
      { name: 'cvc', autocomplete: 'cc-csc', 'aria-label': 'CVC', placeholder: 'CVC' },
      '3.5em'
    );
    this._inputs = [number, expiry, cvc];
    this._fields = { number: number, expiry: expiry, cvc: cvc };

    number.addEventListener('input', function () {
      var digits = digitsOnly(number.value).slice(0, 19);
      var brand = cardBrand(digits);
      digits = digits.slice(0, numberLength(brand) === 16 ? 19 : numberLength(brand));
      number.value = formatNumber(digits, brand);
      self._values.number = digits;
      self._changed(false);
      if (digits.length === numberLength(brand) && luhnValid(digits)) expiry.focus();
    });
    expiry.addEventListener('input', function (event) {
      var deleting = event.inputType && event.inputType.indexOf('delete') === 0;
      expiry.value = deleting ? expiry.value : formatExpiry(expiry.value);
      self._values.expiry = expiry.value;
      self._changed(false);
      if (digitsOnly(expiry.value).length === 4 && !cardProblem(self._values, false)) cvc.focus();
    });
    cvc.addEventListener('input', function () {
      var brand = cardBrand(digitsOnly(self._values.number));
      cvc.value = digitsOnly(cvc.value).slice(0, cvcLength(brand));
      self._values.cvc = cvc.value;
      self._changed(false);
    });
    this._inputs.forEach(function (input) {
      input.addEventListener('focus', function () {
        node.classList.add('StripeElement--focus');
        self._emit('focus', { elementType: 'card' });
      });
      input.addEventListener('blur', function () {
        node.classList.remove('StripeElement--focus');
        // As Stripe.js: an incomplete field is reported once the customer leaves it.
        var leftCard = self._inputs.indexOf(document.activeElement) === -1;
        if (leftCard && !self._state().empty) self._changed(true);
        self._emit('blur', { elementType: 'card' });
      });
    });

    container.appendChild(number);
    container.appendChild(expiry);
    container.appendChild(cvc);
    node.appendChild(container);
    this._mountNode = node;
    this._container = container;
    this._applyStyle();
    this._updateClasses(this._state(), false);
    setTimeout(function () {
      self._emit('ready', { elementType: 'card' });
    }, 0);
  };

  CardElement.prototype.unmount = function () {
    if (this._container && this._container.parentNode) {
      this._container.parentNode.removeChild(this._container);
    }
    if (this._placeholderSheet) {
      var sheet = this._placeholderSheet;
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (s) {
        return s !== sheet;
      });
      this._placeholderSheet = null;
    }
    if (this._mountNode) {
      this._mountNode.classList.remove(
        'StripeElement',
        'StripeElement--empty',
        'StripeElement--complete',
        'StripeElement--invalid',
        'StripeElement--focus'
      );
    }
    this._container = null;
    this._mountNode = null;
  };

  CardElement.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
    if (this._elements) this._elements._card = null;
  };

  CardElement.prototype.focus = function () {
    if (this._fields) this._fields.number.focus();
  };

  CardElement.prototype.blur = function () {
    if (this._inputs && this._inputs.indexOf(document.activeElement) !== -1) {
      document.activeElement.blur();
    }
  };

  CardElement.prototype.clear = function () {
    this._values = { number: '', expiry: '', cvc: '' };
    if (this._inputs) {
      this._inputs.forEach(function (input) {
        input.value = '';
      });
    }
    this._changed(false);
  };

  CardElement.prototype.update = function (options) {
    var style = Object.assign({}, this._options.style, (options && options.style) || {});
    this._options = Object.assign({}, this._options, options || {}, { style: style });
    this._applyStyle();
  };

  // ---- Elements ----

  function Elements() {
    this._card = null;
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'card') {
      throw integrationError(
        'stripe-standin: only the "card" Element is available, not "' + type + '".'
      );
    }
    if (this._card) throw integrationError('Can only create one Element of type card.');
    this._card = new CardElement(options);
    this._card._elements = this;
    return this._card;
  };

  Elements.prototype.getElement = function (type) {
    return type === 'card' ? this._card : null;
  };

  // ---- Calls to the API ----

  function encode(params, prefix, out) {
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      var name = prefix ? prefix + '[' + key + ']' : key;
      if (value === undefined || value === null) return;
      if (typeof value === 'object') encode(value, name, out);
      else out.append(name, String(value));
    });
    return out;
  }

  function call(method, path, key, params) {
    var body = encode(params, '', new URLSearchParams());
    body.append('key', key);
    var url = apiBase + path;
    var init = { method: method, headers: {} };
    if (method === 'GET') {
      url += '?' + body.toString();
    } else {
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = body.toString();
    }
    return fetch(url, init).then(
      function (response) {
        return response.json().then(function (json) {
          return response.ok ? { object: json } : { error: json.error };
        });
      },
      function () {
        return {
          error: {
            type: 'api_connection_error',
            message: 'stripe-standin: could not reach the stand-in at ' + apiBase + '.',
          },
        };
      }
    );
  }

  function intentIdFromSecret(clientSecret, method) {
    var match = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(String(clientSecret || ''));
    if (!match) {
      throw integrationError(
        'Invalid value for ' + method + ' intent secret: value should be a client_secret ' +
          'string. You specified: ' + clientSecret + '.'
      );
    }
    return match[1];
  }

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (typeof publishableKey !== 'string' || !publishableKey) {
      throw integrationError('Please call Stripe() with your publishable key.');
    }
    if (/^sk_/.test(publishableKey)) {
      throw integrationError(
        'You should not use your secret key with Stripe.js. Please pass a publishable key instead.'
      );
    }
    this._key = publishableKey;
  }

  Stripe.version = 3;

  Stripe.prototype.elements = function () {
    return new Elements();
  };

  Stripe.prototype.createPaymentMethod = function (data) {
    data = data || {};
    var card = data.card || (data.payment_method && data.payment_method.card);
    if (!(card instanceof CardElement)) {
      return Promise.reject(
        integrationError('stripe-standin: createPaymentMethod needs a mounted card Element.')
      );
    }
    var problem = cardProblem(card._values, true);
    if (problem) return Promise.resolve({ error: validationError(problem) });
    var expiry = parseExpiry(card._values.expiry);
    return call('POST', 'v1/payment_methods', this._key, {
      type: 'card',
      card: {
        number: digitsOnly(card._values.number),
        exp_month: expiry.month,
        exp_year: expiry.year,
        cvc: card._values.cvc,
      },
      billing_details: data.billing_details,
    }).then(function (result) {
      return result.error ? { error: result.error } : { paymentMethod: result.object };
    });
  };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data) {
    var intentId;
    try {
      intentId = intentIdFromSecret(clientSecret, 'confirmCardPayment');
    } catch (error) {
      return Promise.reject(error);
    }
    var key = this._key;
    var method = (data || {}).payment_method;
    var paymentMethod;
    if (typeof method === 'string') {
      paymentMethod = Promise.resolve({ paymentMethod: { id: method } });
    } else if (method && method.card) {
      paymentMethod = this.createPaymentMethod({
        type: 'card',
        card: method.card,
        billing_details: method.billing_details,
      });
    } else {
      paymentMethod = Promise.resolve({ paymentMethod: null });
    }
    return paymentMethod.then(function (created) {
      if (created.error) return { error: created.error };
      var params = { client_secret: clientSecret };
      if (created.paymentMethod) params.payment_method = created.paymentMethod.id;
      return call('POST', 'v1/payment_intents/' + intentId + '/confirm', key, params).then(
        function (result) {
          return result.error ? { error: result.error } : { paymentIntent: result.object };
        }
      );
    });
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var intentId;
    try {
      intentId = intentIdFromSecret(clientSecret, 'retrievePaymentIntent');
    } catch (error) {
      return Promise.reject(error);
    }
    return call('GET', 'v1/payment_intents/' + intentId, this._key, {
      client_secret: clientSecret,
    }).then(function (result) {
      return result.error ? { error: result.error } : { paymentIntent: result.object };
    });
  };

  window.Stripe = Stripe;
})();
