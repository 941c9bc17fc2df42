// Saves text the server produced (the trends page's CSV export) as a file, without a second request: the file holds
// exactly the figures on screen.
export function download(fileName, contentType, text) {
  const url = URL.createObjectURL(new Blob([text], { type: contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
