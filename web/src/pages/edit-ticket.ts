import { ApiError, errorsFrom } from '../api';
import { clearErrors, formAlert, showErrors } from '../components/form';
import { renderNotice } from '../components/notice';
import { renderFormCard, renderTicketForm } from '../components/ticket-form';
import { isOwner, loadTicket } from '../components/ticket-views';
import { h, link } from '../dom';
import { centsToDollarInput } from '../money';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import { type Ticket, getTicket, ticketPath, updateTicket } from '../tickets';

export const NOW_RESERVED_MESSAGE = "This ticket has just been reserved by a buyer, so it can't be edited.";
export const RELOADED_MESSAGE = 'Showing the latest version. Make your changes again and save.';

function cannotEdit(ticket: Ticket, heading: string, text: string): PageResult {
  return {
    title: heading,
    content: renderNotice({ heading, body: [text], actions: [link(ticketPath(ticket.id), 'Back to the ticket', 'btn btn-primary')] }),
  };
}

export async function editTicketPage(context: RouteContext): Promise<PageResult> {
  const { path, navigate } = context;
  const user = getCurrentUser();
  if (!user) return { redirect: withNext('/signin', path) };

  const loaded = await loadTicket(context);
  if ('page' in loaded) return loaded.page;
  let ticket = loaded.ticket;
  if (!isOwner(ticket, user.id)) {
    return cannotEdit(ticket, "You can't edit this ticket", 'Only the person who listed a ticket can change it.');
  }
  if (ticket.orderId) {
    return cannotEdit(ticket, 'This ticket is reserved', "A buyer is holding it, so it can't be edited until their order ends.");
  }

  const status = h('p', { className: 'mb-4 rounded-lg bg-indigo-50 px-4 py-3 text-sm text-indigo-800', attrs: { role: 'status', hidden: true } });

  // After a conflict the user needs the ticket as it is now, and its version, to try again.
  function reloadButton(): HTMLButtonElement {
    const button = h('button', { className: 'btn btn-secondary mt-2', attrs: { type: 'button' } }, ['Reload']);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        ticket = await getTicket(ticket.id);
      } catch (error) {
        showConflict(errorsFrom(error).map((item) => item.message));
        return;
      }
      clearErrors(form);
      input('title').value = ticket.title;
      input('price').value = centsToDollarInput(ticket.price);
      if (ticket.orderId) {
        showErrors(form, [{ message: NOW_RESERVED_MESSAGE }]);
        return;
      }
      status.textContent = RELOADED_MESSAGE;
      status.hidden = false;
      input('title').focus();
    });
    return button;
  }

  function input(name: 'title' | 'price'): HTMLInputElement {
    return form.elements.namedItem(name) as HTMLInputElement;
  }

  function showConflict(messages: string[]): void {
    showErrors(form, messages.map((message) => ({ message })));
    formAlert(form).append(reloadButton());
  }

  const form = renderTicketForm({
    id: 'edit-ticket',
    submitLabel: 'Save changes',
    initial: ticket,
    footer: [link(ticketPath(ticket.id), 'Cancel', 'btn btn-ghost w-full')],
    async submit(input) {
      status.hidden = true;
      try {
        await updateTicket(ticket.id, { ...input, version: ticket.version });
      } catch (error) {
        // 409: reserved meanwhile, or someone saved first. Either way, reloading shows why.
        if (error instanceof ApiError && error.status === 409) {
          showConflict(error.errors.map((item) => item.message));
          return;
        }
        throw error;
      }
      await navigate(ticketPath(ticket.id));
    },
  });

  return {
    title: 'Edit ticket',
    content: renderFormCard('Edit ticket', 'Change the title or the price. Buyers see the new details straight away.', form, [
      h('div', { className: 'mb-6' }, [link(ticketPath(ticket.id), '← Back to the ticket', 'text-link text-sm')]),
      status,
    ]),
  };
}
