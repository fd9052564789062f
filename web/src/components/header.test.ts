import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHeader } from './header';

function mount(header: HTMLElement): HTMLElement {
  document.body.replaceChildren(header);
  return header;
}

const links = (root: HTMLElement) =>
  Array.from(root.querySelectorAll('a')).map((a) => [a.textContent, a.getAttribute('href')]);
const buttons = (root: HTMLElement) => Array.from(root.querySelectorAll('button')).map((b) => b.textContent);

afterEach(() => {
  document.body.innerHTML = '';
});

describe('renderHeader', () => {
  it('offers sign in and sign up when signed out', () => {
    const header = mount(renderHeader(null, { signOut: vi.fn() }));

    expect(header.tagName).toBe('HEADER');
    expect(links(header)).toEqual([
      ['Ticketing', '/'],
      ['Tickets', '/tickets'],
      ['Sign in', '/signin'],
      ['Sign up', '/signup'],
    ]);
    expect(buttons(header)).toEqual([]);
    expect(header.querySelector('[data-testid="current-user-email"]')).toBeNull();
  });

  it('shows the email, a link to change the password and a sign-out button when signed in', () => {
    const header = mount(renderHeader({ id: 'u1', email: 'ada@example.com' }, { signOut: vi.fn() }));

    expect(header.querySelector('[data-testid="current-user-email"]')?.textContent).toBe('ada@example.com');
    expect(buttons(header)).toEqual(['Sign out']);
    expect(links(header)).toEqual([
      ['Ticketing', '/'],
      ['Tickets', '/tickets'],
      ['Orders', '/orders'],
      ['My listings', '/listings'],
      ['Password', '/account/password'],
    ]);
  });

  it('shows the email as text, never as markup', () => {
    const header = mount(renderHeader({ id: 'u1', email: '<img src=x onerror=alert(1)>@x.com' }, { signOut: vi.fn() }));
    expect(header.querySelector('img')).toBeNull();
    expect(header.querySelector('[data-testid="current-user-email"]')?.textContent).toBe('<img src=x onerror=alert(1)>@x.com');
  });

  it('lets a long email break before "@" and each "." (a <wbr> there) while reading as the same text', () => {
    const header = mount(renderHeader({ id: 'u1', email: 'ada.lovelace@example.co.uk' }, { signOut: vi.fn() }));
    const email = header.querySelector('[data-testid="current-user-email"]') as HTMLElement;
    expect(email.textContent).toBe('ada.lovelace@example.co.uk');
    expect(Array.from(email.childNodes, (node) => (node.nodeName === 'WBR' ? '|' : node.textContent)).join('')).toBe(
      'ada|.lovelace|@example|.co|.uk',
    );
  });

  it('leaves the account area empty until the session is known', () => {
    const header = mount(renderHeader(null, { signOut: vi.fn() }, { sessionKnown: false }));
    expect(links(header).map(([text]) => text)).toEqual(['Ticketing', 'Tickets']);
    expect(buttons(header)).toEqual([]);
  });

  it('calls signOut on click, disabling the button meanwhile', async () => {
    let finish: () => void = () => {};
    const signOut = vi.fn(() => new Promise<void>((resolve) => { finish = resolve; }));
    const header = mount(renderHeader({ id: 'u1', email: 'ada@example.com' }, { signOut }));
    const button = header.querySelector('button') as HTMLButtonElement;

    button.click();

    expect(signOut).toHaveBeenCalledTimes(1);
    expect(button.disabled).toBe(true);
    finish();
    await vi.waitFor(() => expect(button.disabled).toBe(false));
  });

  it('says so when signing out fails', async () => {
    const header = mount(renderHeader({ id: 'u1', email: 'ada@example.com' }, { signOut: () => Promise.reject(new Error('offline')) }));
    header.querySelector('button')?.click();
    await vi.waitFor(() => expect(header.querySelector('[role="status"]')?.textContent).toBe('Sign out failed. Please try again.'));
  });
});
