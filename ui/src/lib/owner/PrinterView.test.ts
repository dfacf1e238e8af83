import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import PrinterView from './PrinterView.svelte';

const backend = vi.hoisted(() => ({
  ownerPrinterSettings: vi.fn(),
  saveOwnerPrinterSettings: vi.fn(),
  printTestPage: vi.fn(),
}));
vi.mock('../backend', () => backend);

const none = { printer: '', paperMm: 80, autoPrint: false };

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
  backend.ownerPrinterSettings.mockResolvedValue(none);
});

describe('the owner’s receipt printer', () => {
  it('saves the printer, its paper and automatic printing as typed, and shows the one spelling Rust keeps', async () => {
    backend.saveOwnerPrinterSettings.mockResolvedValue({
      printer: 'tcp://192.168.1.50:9100',
      paperMm: 58,
      autoPrint: true,
    });
    render(PrinterView, { onlocked: vi.fn() });
    const address = (await screen.findByTestId('printer-address')) as HTMLInputElement;
    expect((screen.getByTestId('printer-test') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(address, { target: { value: 'tcp://192.168.1.50' } });
    await fireEvent.change(screen.getByTestId('printer-paper'), { target: { value: '58' } });
    await fireEvent.click(screen.getByTestId('printer-auto'));
    await fireEvent.click(screen.getByTestId('printer-save'));
    await waitFor(() =>
      expect(screen.getByTestId('printer-note').textContent).toBe('Saved: receipts go to tcp://192.168.1.50:9100.'),
    );
    expect(backend.saveOwnerPrinterSettings).toHaveBeenCalledWith({
      printer: 'tcp://192.168.1.50',
      paperMm: 58,
      autoPrint: true,
    });
    expect(address.value).toBe('tcp://192.168.1.50:9100');
    expect((screen.getByTestId('printer-test') as HTMLButtonElement).disabled).toBe(false);
  });

  it('prints the test page, and shows what to check when the printer does not answer', async () => {
    backend.ownerPrinterSettings.mockResolvedValue({ ...none, printer: 'tcp://10.0.0.9:9100' });
    backend.printTestPage
      .mockRejectedValueOnce({
        kind: 'printer',
        message: 'The receipt printer at 10.0.0.9:9100 refused the connection. Check that the printer is switched on.',
      })
      .mockResolvedValueOnce('Test page sent to tcp://10.0.0.9:9100.');
    render(PrinterView, { onlocked: vi.fn() });
    await fireEvent.click(await screen.findByTestId('printer-test'));
    await waitFor(() => expect(screen.getByTestId('printer-error').textContent).toMatch('switched on'));
    await fireEvent.click(screen.getByTestId('printer-test'));
    await waitFor(() =>
      expect(screen.getByTestId('printer-note').textContent).toBe('Test page sent to tcp://10.0.0.9:9100.'),
    );
    expect(screen.queryByTestId('printer-error')).toBeNull();
  });

  it('a refused address keeps the form as typed and says why', async () => {
    backend.saveOwnerPrinterSettings.mockRejectedValue({
      kind: 'input',
      message: "'lp0' is not a printer address: it does not start with tcp://, usb:, serial: or file:.",
    });
    render(PrinterView, { onlocked: vi.fn() });
    const address = (await screen.findByTestId('printer-address')) as HTMLInputElement;
    await fireEvent.input(address, { target: { value: 'lp0' } });
    await fireEvent.click(screen.getByTestId('printer-save'));
    await waitFor(() => expect(screen.getByTestId('printer-error').textContent).toMatch('not a printer address'));
    expect(address.value).toBe('lp0');
  });

  it('goes back to the PIN when owner mode locked meanwhile', async () => {
    const onlocked = vi.fn();
    backend.ownerPrinterSettings.mockRejectedValue({
      kind: 'notAllowed',
      message: 'Owner mode is locked. Unlock it with the owner PIN (the Owner button).',
    });
    render(PrinterView, { onlocked });
    await waitFor(() => expect(onlocked).toHaveBeenCalled());
  });
});
