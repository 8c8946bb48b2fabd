// LSUN: « tout sélectionner » on the synchronisation form, and the progress bar of a running synchronisation
// (polls the JSON progress endpoint, reloads the page when the run is over).
(function () {
  var tout = document.getElementById("tout-selectionner");
  if (tout) {
    var cases = document.querySelectorAll(".case-division");
    tout.addEventListener("change", function () {
      cases.forEach(function (c) { c.checked = tout.checked; });
    });
    cases.forEach(function (c) {
      c.addEventListener("change", function () {
        tout.checked = Array.prototype.every.call(cases, function (x) { return x.checked; });
      });
    });
  }
  var suivi = document.getElementById("suivi");
  if (suivi && suivi.dataset.fini !== "oui") {
    var barre = document.getElementById("progression");
    var compte = document.getElementById("compte-eleves");
    var etat = document.getElementById("etat-progression");
    var suivre = function () {
      fetch(suivi.dataset.suivi, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) {
          if (!r.ok) { window.location.reload(); throw new Error("suivi interrompu"); }  // session expired, restart…
          return r.json();
        })
        .then(function (t) {
          if (t.total) {
            barre.max = t.total;
            barre.value = t.fait;
            compte.textContent = (t.annule ? "Éléments remis : " : "Élèves traités : ") + t.fait + " / " + t.total;
            etat.textContent = t.annule ? (t.simulation ? "Aperçu de l'annulation en cours…" : "Annulation en cours…")
              : (t.simulation ? "Simulation" : "Synchronisation") + " en cours…";
          }
          if (t.etat === "terminee" || t.etat === "echouee") { window.location.reload(); }
          else { window.setTimeout(suivre, 300); }
        })
        .catch(function (e) { if (e.message !== "suivi interrompu") { window.setTimeout(suivre, 1000); } });
    };
    suivre();
  }
})();
