import { renderFormCard, renderTicketForm } from '../components/ticket-form';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import { createTicket, ticketPath } from '../tickets';

export function sellTicketPage({ path, navigate }: RouteContext): PageResult {
  if (!getCurrentUser()) return { redirect: withNext('/signin', path) };

  const form = renderTicketForm({
    id: 'sell-ticket',
    submitLabel: 'List ticket',
    async submit(input) {
      const ticket = await createTicket(input);
      await navigate(ticketPath(ticket.id));
    },
  });

  return {
    title: 'Sell a ticket',
    content: renderFormCard('Sell a ticket', 'It goes on sale as soon as you list it. You can change the title and price until someone reserves it.', form),
  };
}
